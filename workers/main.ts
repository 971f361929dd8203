import fs from 'node:fs';
import { NativeConnection } from '@temporalio/worker';
import { Redis } from 'ioredis';
import { createInventoryClient, createOrderActivities, createOrderEventPublisher, createOrderStore } from '../activities';
import { createLogger } from '../shared/logger';
import { createOrdersDb } from '../shared/orders-db';
import { loadWorkerConfig } from './config';
import { startWorkerHttp } from './http';
import { createOrderWorker } from './order-worker';
import { installSdkLogging } from './sdk-logging';

const config = loadWorkerConfig();
const log = createLogger('worker', config.logLevel);
installSdkLogging(log, config.logLevel);

const db = createOrdersDb(config.ordersDatabaseUrl, 20);
const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 3 });
const connection = await NativeConnection.connect({ address: config.temporalAddress });

const worker = await createOrderWorker({
  connection,
  namespace: config.temporalNamespace,
  taskQueue: config.taskQueue,
  activities: createOrderActivities({
    inventory: createInventoryClient(config.inventoryUrl, config.inventoryRequestTimeoutMs),
    orders: createOrderStore(db),
    events: createOrderEventPublisher(redis),
  }),
  workflowBundleCode: config.workflowBundlePath ? fs.readFileSync(config.workflowBundlePath, 'utf8') : undefined,
  tuning: {
    maxConcurrentActivityTaskExecutions: config.maxConcurrentActivities,
    maxConcurrentWorkflowTaskExecutions: config.maxConcurrentWorkflowTasks,
    shutdownGraceTime: config.shutdownGraceMs,
  },
});

const httpServer = await startWorkerHttp(config.httpHost, config.httpPort, {
  '/health': async () => {
    const state = worker.getState();
    return { status: state === 'RUNNING' ? 200 : 503, contentType: 'application/json', body: JSON.stringify({ status: state === 'RUNNING' ? 'ok' : state.toLowerCase() }) };
  },
});

log.info({ taskQueue: worker.options.taskQueue, namespace: config.temporalNamespace, port: config.httpPort }, 'worker started');
// run() resolves after SIGINT/SIGTERM once in-flight tasks finished or the grace time passed.
await worker.run();
httpServer.close();
await Promise.allSettled([connection.close(), db.$disconnect(), redis.quit()]);
log.info('worker stopped');
