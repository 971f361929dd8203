/**
 * Worker of the bench's ceiling workflow, a process of its own like workers/main.ts: the same
 * concurrency settings as the order worker (workers/config.ts reads the same env), its own task
 * queue (TEMPORAL_TASK_QUEUE) and the bundle the bench prebuilt (WORKFLOW_BUNDLE_PATH).
 */
import fs from 'node:fs';
import { NativeConnection, Worker } from '@temporalio/worker';
import { loadWorkerConfig } from '../../workers/config';
import { ceilingActivities } from './activities';

const config = loadWorkerConfig();
if (!config.workflowBundlePath) throw new Error('ceiling worker: WORKFLOW_BUNDLE_PATH is required (the bench builds it)');
const connection = await NativeConnection.connect({ address: config.temporalAddress });
const worker = await Worker.create({
  connection,
  namespace: config.temporalNamespace,
  taskQueue: config.taskQueue,
  activities: ceilingActivities,
  workflowBundle: { code: fs.readFileSync(config.workflowBundlePath, 'utf8') },
  maxConcurrentActivityTaskExecutions: config.maxConcurrentActivities,
  maxConcurrentWorkflowTaskExecutions: config.maxConcurrentWorkflowTasks,
  shutdownGraceTime: config.shutdownGraceMs,
});
await worker.run();
await connection.close();
