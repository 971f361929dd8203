/**
 * Worker of the bench's ceiling workflow, a process of its own like workers/main.ts: the same
 * concurrency settings as the order worker (workers/config.ts reads the same env), its own task
 * queue (TEMPORAL_TASK_QUEUE) and the bundle the bench prebuilt (WORKFLOW_BUNDLE_PATH).
 * GET /completions?from=&to= (epoch ms) counts no-op activities run in [from, to): the bench
 * reads its throughput here rather than loading the server with visibility queries.
 * POST /start-eager?variant=&rate=&duration=&prefix= starts an eager variant from here, on the
 * worker's own connection (eager start needs the starter and the worker on one connection);
 * POST /stop-eager ends those arrivals early. The answer is the run, as the driver's own.
 */
import fs from 'node:fs';
import http from 'node:http';
import { Client } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { temporalConnectOptions } from '../../shared/temporal-connection';
import { loadWorkerConfig } from '../../workers/config';
import { runArrivals } from '../../shared/arrivals';
import { createCeilingActivities } from './activities';
import { ceilingStarter } from './driver';
import { CEILING_VARIANTS, type CeilingVariant } from './variants';

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

const client = new Client({ connection, namespace: config.temporal.namespace });
let eagerArrivals: AbortController | undefined;

async function startEager(url: URL): Promise<unknown> {
  const variant = url.searchParams.get('variant') as CeilingVariant;
  const rate = Number(url.searchParams.get('rate'));
  const durationS = Number(url.searchParams.get('duration'));
  if (!CEILING_VARIANTS[variant]?.eager || !(rate > 0) || !(durationS > 0)) throw new Error('variant (an eager one), rate and duration');
  eagerArrivals = new AbortController();
  const starter = ceilingStarter(client, variant, url.searchParams.get('prefix') ?? 'eager-');
  const { planned, dropped } = await runArrivals(
    { rate, durationS, maxInFlight: Math.max(100, rate * 2), signal: eagerArrivals.signal },
    starter.start,
  );
  return { planned, dropped, ...starter.run, startLatency: starter.startLatency() };
}

const server = http.createServer((request, response) => {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const json = (status: number, body: unknown) =>
    response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  if (request.method === 'POST' && url.pathname === '/start-eager') {
    startEager(url).then(
      (run) => json(200, run),
      (err: Error) => json(400, { error: err.message }),
    );
    return;
  }
  if (request.method === 'POST' && url.pathname === '/stop-eager') {
    eagerArrivals?.abort();
    json(200, {});
    return;
  }
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
