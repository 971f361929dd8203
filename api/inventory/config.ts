import { z } from 'zod';
import { checkSecrets, databaseUrl, loadConfig, logLevel, port, secret } from '../../shared/contract/environment';

const schema = z.object({
  INVENTORY_HOST: z.string().default('127.0.0.1'),
  INVENTORY_PORT: port(3002),
  INVENTORY_DATABASE_URL: databaseUrl('postgresql://valerix_app@127.0.0.1:5432/inventory'),
  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
  /** Bearer token of an admin: chaos mode and restock. */
  ADMIN_TOKEN: secret('ADMIN_TOKEN'),
  /** Bearer token of the worker, the only caller allowed to reserve and release. */
  INVENTORY_SERVICE_TOKEN: secret('INVENTORY_SERVICE_TOKEN'),
  /** Requests per minute to /api routes per caller (token or address), across replicas. */
  INVENTORY_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(600),
  /** The same for the worker's service token, which carries every order's reservations. */
  INVENTORY_SERVICE_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(60_000),
  LOG_LEVEL: logLevel,
});

export type InventoryConfig = ReturnType<typeof loadInventoryConfig>;

export function loadInventoryConfig(env: NodeJS.ProcessEnv = process.env) {
  const parsed = loadConfig('inventory', schema, env);
  return {
    host: parsed.INVENTORY_HOST,
    port: parsed.INVENTORY_PORT,
    databaseUrl: parsed.INVENTORY_DATABASE_URL,
    redisUrl: parsed.REDIS_URL,
    credentials: { adminToken: parsed.ADMIN_TOKEN, serviceToken: parsed.INVENTORY_SERVICE_TOKEN },
    publishedSecrets: checkSecrets(
      'inventory',
      { ADMIN_TOKEN: parsed.ADMIN_TOKEN, INVENTORY_SERVICE_TOKEN: parsed.INVENTORY_SERVICE_TOKEN },
      env,
    ),
    rateLimit: { perMinute: parsed.INVENTORY_RATE_LIMIT_PER_MINUTE, servicePerMinute: parsed.INVENTORY_SERVICE_RATE_LIMIT_PER_MINUTE },
    logLevel: parsed.LOG_LEVEL,
  };
}
