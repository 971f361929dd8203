import { z } from 'zod';
import { TASK_QUEUE } from '../../shared/order-workflow';
import { checkSecrets, databaseUrl, loadConfig, logLevel, milliseconds, port, secret } from '../../shared/contract/environment';
import { checkClientCertPair, temporalConnectionEnv, temporalConnectionSettings } from '../../shared/temporal-connection';

const schema = z
  .object({
    GATEWAY_HOST: z.string().default('127.0.0.1'),
    GATEWAY_PORT: port(3001),
    ORDERS_DATABASE_URL: databaseUrl('postgresql://valerix_app@127.0.0.1:5432/orders'),
    REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
    ...temporalConnectionEnv,
    TEMPORAL_TASK_QUEUE: z.string().default(TASK_QUEUE),
    INVENTORY_URL: z.string().url().default('http://127.0.0.1:3002'),
    /** After this long without a successful reservation of a line, the order compensates and fails. */
    INVENTORY_DEADLINE_MS: milliseconds(60_000),
    INVENTORY_CALL_TIMEOUT_MS: milliseconds(10_000),
    /** How long a CONFIRMED order can still be cancelled (a return). */
    RETURN_WINDOW_MS: milliseconds(7 * 24 * 3600 * 1000),
    /** Bearer secret accepted as the admin role (every order); the dashboard calls with it. */
    ADMIN_TOKEN: secret('ADMIN_TOKEN'),
    /** New orders one client may place per minute, across all gateways. */
    ORDER_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(600),
    /** A non-terminal order not updated for this long is reported by the orders_stuck metric (and its alert). */
    ORDER_STUCK_AFTER_MS: milliseconds(10 * 60_000),
    LOG_LEVEL: logLevel,
  })
  .superRefine(checkClientCertPair);

export type GatewayConfig = ReturnType<typeof loadGatewayConfig>;

export function loadGatewayConfig(env: NodeJS.ProcessEnv = process.env) {
  const parsed = loadConfig('gateway', schema, env);
  return {
    host: parsed.GATEWAY_HOST,
    port: parsed.GATEWAY_PORT,
    ordersDatabaseUrl: parsed.ORDERS_DATABASE_URL,
    redisUrl: parsed.REDIS_URL,
    temporal: temporalConnectionSettings(parsed),
    taskQueue: parsed.TEMPORAL_TASK_QUEUE,
    inventoryUrl: parsed.INVENTORY_URL,
    orderPolicy: {
      inventoryDeadlineMs: parsed.INVENTORY_DEADLINE_MS,
      inventoryCallTimeoutMs: parsed.INVENTORY_CALL_TIMEOUT_MS,
      returnWindowMs: parsed.RETURN_WINDOW_MS,
    },
    orderStuckAfterMs: parsed.ORDER_STUCK_AFTER_MS,
    ordersPerMinute: parsed.ORDER_RATE_LIMIT_PER_MINUTE,
    adminToken: parsed.ADMIN_TOKEN,
    publishedSecrets: checkSecrets('gateway', { ADMIN_TOKEN: parsed.ADMIN_TOKEN }, env),
    logLevel: parsed.LOG_LEVEL,
  };
}
