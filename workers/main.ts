import fs from 'node:fs';
import { NativeConnection } from '@temporalio/worker';
import { Redis } from 'ioredis';
import { createInventoryClient, createOrderActivities, createOrderEventPublisher } from '../activities';
import { createOrderRecords } from '../shared/order-records';
import { createLogger } from '../shared/logger';
import { createOrdersDb } from '../shared/orders-db';
import { temporalConnectOptions } from '../shared/temporal-connection';
import { loadWorkerConfig } from './config';
import { deepHealthRoute, startWorkerHttp } from './http';
import { createOrderMetrics, createWorkerMetricsEndpoint, createWorkerRegistry } from './metrics';
import { createOrderWorker } from './order-worker';
import { installSdkRuntime } from './sdk-logging';

const config = loadWorkerConfig();
const log = createLogger('worker', config.logLevel);
if (config.publishedSecrets.length > 0) log.warn({ secrets: config.publishedSecrets }, 'published development secrets in use');
const sdkMetricsUrl = installSdkRuntime(log, config.logLevel, config.sdkMetricsPort);
const registry = createWorkerRegistry({ processMetrics: true });

const db = createOrdersDb(config.ordersDatabaseUrl, 20, (err) => log.warn({ err }, 'idle Postgres connection lost'));
const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 3 });
const connection = await NativeConnection.connect(temporalConnectOptions(config.temporal));

const worker = await createOrderWorker({
  connection,
  namespace: config.temporal.namespace,
  taskQueue: config.taskQueue,
  activities: createOrderActivities({
    inventory: createInventoryClient({
      baseUrl: config.inventoryUrl,
      requestTimeoutMs: config.inventoryRequestTimeoutMs,
      serviceToken: config.inventoryServiceToken,
    }),
    orders: createOrderRecords(db),
    events: createOrderEventPublisher(redis),
    metrics: createOrderMetrics(registry),
  }),
  workflowBundleCode: config.workflowBundlePath ? fs.readFileSync(config.workflowBundlePath, 'utf8') : undefined,
  tuning: {
    maxConcurrentActivityTaskExecutions: config.maxConcurrentActivities,
    maxConcurrentWorkflowTaskExecutions: config.maxConcurrentWorkflowTasks,
    maxCachedWorkflows: config.maxCachedWorkflows,
    shutdownGraceTime: config.shutdownGraceMs,
  },
});

const httpServer = await startWorkerHttp(config.httpHost, config.httpPort, {
  '/health': async () => {
    const state = worker.getState();
    return {
      status: state === 'RUNNING' ? 200 : 503,
      contentType: 'application/json',
      body: JSON.stringify({ status: state === 'RUNNING' ? 'ok' : state.toLowerCase() }),
    };
  },
  '/health/deep': deepHealthRoute({
    temporal: () => connection.workflowService.getSystemInfo({}),
    orders_db: () => db.$queryRaw`SELECT 1`,
    redis: () => redis.ping(),
    inventory: async () => {
      const response = await fetch(new URL('/health', config.inventoryUrl), { signal: AbortSignal.timeout(2000) });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
    },
  }),
  '/metrics': createWorkerMetricsEndpoint(registry, config.sdkMetricsPort > 0 ? { url: sdkMetricsUrl } : undefined, log),
});

log.info({ taskQueue: worker.options.taskQueue, namespace: config.temporal.namespace, port: config.httpPort }, 'worker started');
// run() resolves after SIGINT/SIGTERM once in-flight tasks finished or the grace time passed.
await worker.run();
httpServer.close();
await Promise.allSettled([connection.close(), db.$disconnect(), redis.quit()]);
log.info('worker stopped');
