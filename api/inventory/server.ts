import closeWithGrace from 'close-with-grace';
import { Redis } from 'ioredis';
import pg from 'pg';
import { createMetricsRegistry } from '../../shared/metrics';
import { buildInventoryApp } from './app';
import { createChaosStore } from './chaos';
import { loadInventoryConfig } from './config';
import { createInventoryStore } from './store';

const config = loadInventoryConfig();
const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 20 });
// A Postgres restart drops idle connections; the pool replaces them, the process carries on.
pool.on('error', (err) => app.log.warn({ err }, 'idle Postgres connection lost'));
const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 1 });
const app = await buildInventoryApp({
  store: createInventoryStore(pool),
  logLevel: config.logLevel,
  credentials: config.credentials,
  rateLimit: { redis, ...config.rateLimit },
  chaos: { store: createChaosStore(redis), ping: () => redis.ping() },
  metrics: createMetricsRegistry('inventory', { processMetrics: true }),
});

if (config.publishedSecrets.length > 0) {
  app.log.warn({ secrets: config.publishedSecrets }, 'published development secrets in use; anyone who reads the README can change stock');
}

closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
  if (err) app.log.error({ err }, 'shutting down after an error');
  else app.log.info({ signal }, 'shutting down');
  await app.close();
  await pool.end();
  redis.disconnect();
});

await app.listen({ host: config.host, port: config.port });
