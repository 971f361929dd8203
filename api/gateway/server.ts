import { Client, Connection } from '@temporalio/client';
import closeWithGrace from 'close-with-grace';
import { Redis } from 'ioredis';
import { createLogger } from '../../shared/logger';
import { createOrdersDb } from '../../shared/orders-db';
import { temporalConnectOptions } from '../../shared/temporal-connection';
import { createMetricsRegistry } from '../../shared/metrics';
import { buildGatewayApp } from './app';
import { loadGatewayConfig } from './config';

const config = loadGatewayConfig();
const log = createLogger('gateway', config.logLevel);

const connection = await Connection.connect(temporalConnectOptions(config.temporal));
const temporal = new Client({ connection, namespace: config.temporal.namespace });
const db = createOrdersDb(config.ordersDatabaseUrl, 20, (err) => log.warn({ err }, 'idle Postgres connection lost'));
const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 2 });
const redisSubscriber = new Redis(config.redisUrl, { maxRetriesPerRequest: null });

const app = await buildGatewayApp({
  temporal,
  db,
  redis,
  redisSubscriber,
  inventoryUrl: config.inventoryUrl,
  policy: config.orderPolicy,
  taskQueue: config.taskQueue,
  logLevel: config.logLevel,
  stuckAfterMs: config.orderStuckAfterMs,
  ordersPerMinute: config.ordersPerMinute,
  adminToken: config.adminToken,
  metrics: createMetricsRegistry('gateway', { processMetrics: true }),
});

if (config.publishedSecrets.length > 0) {
  app.log.warn(
    { secrets: config.publishedSecrets },
    'published development ADMIN_TOKEN in use; anyone who reads the README can see every order',
  );
}

closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
  if (err) log.error({ err }, 'shutting down after an error');
  else log.info({ signal }, 'shutting down');
  await app.close();
  await Promise.allSettled([connection.close(), db.$disconnect(), redis.quit()]);
});

await app.listen({ host: config.host, port: config.port });
