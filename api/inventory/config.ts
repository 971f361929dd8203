import { z } from 'zod';
import { databaseUrl, loadConfig, logLevel, port } from '../../shared/env';

const schema = z.object({
  INVENTORY_HOST: z.string().default('127.0.0.1'),
  INVENTORY_PORT: port(3002),
  INVENTORY_DATABASE_URL: databaseUrl('postgresql://valerix@127.0.0.1:5432/inventory'),
  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
  /** Bearer token of /api/admin routes (chaos mode). */
  ADMIN_TOKEN: z.string().min(8).default('valerix-local-admin'),
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
    adminToken: parsed.ADMIN_TOKEN,
    logLevel: parsed.LOG_LEVEL,
  };
}
