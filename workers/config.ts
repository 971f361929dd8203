import { z } from 'zod';
import { TASK_QUEUE } from '../shared/order-workflow';
import { checkSecrets, databaseUrl, loadConfig, logLevel, milliseconds, port, secret } from '../shared/contract/environment';
import { checkClientCertPair, temporalConnectionEnv, temporalConnectionSettings } from '../shared/temporal-connection';

const schema = z
  .object({
    ...temporalConnectionEnv,
    TEMPORAL_TASK_QUEUE: z.string().default(TASK_QUEUE),
    ORDERS_DATABASE_URL: databaseUrl('postgresql://valerix_app@127.0.0.1:5432/orders'),
    REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
    INVENTORY_URL: z.string().url().default('http://127.0.0.1:3002'),
    /** The worker's credential at the inventory service (reserve and release). */
    INVENTORY_SERVICE_TOKEN: secret('INVENTORY_SERVICE_TOKEN'),
    /** HTTP timeout of one inventory call, inside the activity's start-to-close timeout. */
    INVENTORY_REQUEST_TIMEOUT_MS: milliseconds(8_000),
    /** A workflow bundle built ahead of time (workers/workflow-bundle.ts; npm start does it); without it the worker bundles at start. */
    WORKFLOW_BUNDLE_PATH: z.string().optional(),
    WORKER_MAX_CONCURRENT_ACTIVITIES: z.coerce.number().int().positive().default(100),
    WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: z.coerce.number().int().positive().default(40),
    /** CONFIRMED orders stay open for the return window; capping the sticky cache caps the worker's memory. */
    WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().nonnegative().default(500),
    WORKER_SHUTDOWN_GRACE_MS: milliseconds(10_000),
    /** /health and /metrics of the worker process. */
    WORKER_HTTP_HOST: z.string().default('127.0.0.1'),
    WORKER_HTTP_PORT: port(3003),
    /** Loopback port of the Temporal SDK's Prometheus exporter, re-served on WORKER_HTTP_PORT/metrics; 0 switches it off. */
    WORKER_SDK_METRICS_PORT: port(3004),
    LOG_LEVEL: logLevel,
  })
  .superRefine(checkClientCertPair);

export type WorkerConfig = ReturnType<typeof loadWorkerConfig>;

export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env) {
  const parsed = loadConfig('worker', schema, env);
  return {
    temporal: temporalConnectionSettings(parsed),
    taskQueue: parsed.TEMPORAL_TASK_QUEUE,
    ordersDatabaseUrl: parsed.ORDERS_DATABASE_URL,
    redisUrl: parsed.REDIS_URL,
    inventoryUrl: parsed.INVENTORY_URL,
    inventoryServiceToken: parsed.INVENTORY_SERVICE_TOKEN,
    publishedSecrets: checkSecrets('worker', { INVENTORY_SERVICE_TOKEN: parsed.INVENTORY_SERVICE_TOKEN }, env),
    inventoryRequestTimeoutMs: parsed.INVENTORY_REQUEST_TIMEOUT_MS,
    workflowBundlePath: parsed.WORKFLOW_BUNDLE_PATH,
    maxConcurrentActivities: parsed.WORKER_MAX_CONCURRENT_ACTIVITIES,
    maxConcurrentWorkflowTasks: parsed.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
    maxCachedWorkflows: parsed.WORKER_MAX_CACHED_WORKFLOWS,
    shutdownGraceMs: parsed.WORKER_SHUTDOWN_GRACE_MS,
    httpHost: parsed.WORKER_HTTP_HOST,
    httpPort: parsed.WORKER_HTTP_PORT,
    sdkMetricsPort: parsed.WORKER_SDK_METRICS_PORT,
    logLevel: parsed.LOG_LEVEL,
  };
}
