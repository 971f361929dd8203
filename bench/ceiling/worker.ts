/**
 * Worker of the bench's ceiling workflow, a process of its own like workers/main.ts: the same
 * concurrency settings as the order worker (workers/config.ts reads the same env), its own task
 * queue (TEMPORAL_TASK_QUEUE) and the bundle the bench prebuilt (WORKFLOW_BUNDLE_PATH).
 * GET /completions?from=&to= (epoch ms) counts no-op activities run in [from, to): the bench
 * reads its throughput here rather than loading the server with visibility queries.
 */
import fs from 'node:fs';
import http from 'node:http';
import { NativeConnection, Worker } from '@temporalio/worker';
import { temporalConnectOptions } from '../../shared/temporal-connection';
import { loadWorkerConfig } from '../../workers/config';
import { createCeilingActivities } from './activities';

const config = loadWorkerConfig();
if (!config.workflowBundlePath) throw new Error('ceiling worker: WORKFLOW_BUNDLE_PATH is required (the bench builds it)');
const completions: number[] = [];
const connection = await NativeConnection.connect(temporalConnectOptions(config.temporal));
const worker = await Worker.create({
  connection,
  namespace: config.temporal.namespace,
  taskQueue: config.taskQueue,
  activities: createCeilingActivities(completions),
  workflowBundle: { code: fs.readFileSync(config.workflowBundlePath, 'utf8') },
  maxConcurrentActivityTaskExecutions: config.maxConcurrentActivities,
  maxConcurrentWorkflowTaskExecutions: config.maxConcurrentWorkflowTasks,
  shutdownGraceTime: config.shutdownGraceMs,
});

const server = http.createServer((request, response) => {
  const url = new URL(request.url ?? '/', 'http://localhost');
  if (url.pathname !== '/completions') {
    response.writeHead(404).end();
    return;
  }
  const from = Number(url.searchParams.get('from') ?? 0);
  const to = Number(url.searchParams.get('to') ?? Infinity);
  const count = completions.filter((at) => at >= from && at < to).length;
  response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ count }));
});
server.listen(config.httpPort, config.httpHost);
await worker.run();
server.close();
await connection.close();
