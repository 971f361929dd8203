import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Connection } from '@temporalio/client';
import pg from 'pg';
import { createClientStore } from '../api/gateway/clients/store';
import { MAX_STOCK } from '../shared/contract/inventory-api';
import { createInventoryStore } from '../api/inventory/store';
import { freePort, waitFor } from '../infra/ports';
import { ManagedProcess } from '../infra/process';
import {
  freeInfraPorts,
  startInfrastructure,
  startServices,
  type Infrastructure,
  type SupervisedService,
  type TemporalMode,
} from '../infra/stack';
import { temporalCliPath } from '../infra/temporal';
import { createOrdersDb } from '../shared/orders-db';
import { temporalConnectOptions, type TemporalConnectionSettings } from '../shared/temporal-connection';
import { WORKFLOWS_PATH } from '../workers/order-worker';
import { writeWorkflowBundle } from '../workers/workflow-bundle';
import { CEILING_TASK_QUEUE } from './ceiling/workflows';
import type { BenchOptions } from './options';

const CEILING_WORKFLOWS_PATH = fileURLToPath(new URL('./ceiling/workflows.ts', import.meta.url));
const CEILING_WORKER_PATH = fileURLToPath(new URL('./ceiling/worker.ts', import.meta.url));

/** Items only the bench orders, with stock no run can exhaust (stock is a 32-bit integer). */
export const BENCH_ITEMS = Array.from({ length: 50 }, (_, i) => `bench-item-${String(i + 1).padStart(2, '0')}`);
// As much as an item may hold: no bench run comes near selling it out.
const BENCH_STOCK = MAX_STOCK;

export interface BenchStack {
  root: string;
  /** Which Temporal runs under this stack: the dev server or the real server (mTLS). */
  temporalMode: TemporalMode;
  dataDir: string;
  infra: Infrastructure;
  services: SupervisedService[];
  ceilingWorker: ManagedProcess;
  /** The ceiling worker's HTTP side: its count of no-op activities run, and the eager starter. */
  ceilingWorkerUrl: string;
  gatewayUrl: string;
  /** The load generator's gateway API key (a client of its own). */
  apiKey: string;
  /** Seconds each part took to become ready. */
  startup: Record<string, number>;
  stop(): Promise<void>;
}

type Progress = (message: string) => void;

const quote = (value: string) => `'${value.replaceAll("'", `'\\''`)}'`;

/**
 * infra/temporal.ts fixes the dev server's flags. Tuning experiments add environment and flags
 * through a wrapper named by TEMPORAL_CLI_PATH (which temporalCliPath() honours); later flags win.
 */
function temporalWrapper(root: string, dataDir: string, options: BenchOptions): void {
  const extra = [
    ...options.temporalDynamicConfig.flatMap((value) => ['--dynamic-config-value', value]),
    ...options.temporalPragmas.flatMap((value) => ['--sqlite-pragma', value]),
  ];
  const env = Object.entries(options.temporalEnv).map(([key, value]) => quote(`${key}=${value}`));
  if (extra.length === 0 && env.length === 0) return;
  const wrapper = path.join(dataDir, 'temporal-with-tuning.sh');
  const command = [...(env.length ? ['env', ...env] : []), quote(temporalCliPath(root)), '"$@"', ...extra.map(quote)];
  fs.writeFileSync(wrapper, `#!/bin/sh\nexec ${command.join(' ')}\n`, { mode: 0o755 });
  process.env.TEMPORAL_CLI_PATH = wrapper;
}

async function applyPostgresSettings(url: string, settings: Record<string, string>): Promise<void> {
  if (Object.keys(settings).length === 0) return;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const [name, value] of Object.entries(settings)) {
      await client.query(`ALTER SYSTEM SET ${client.escapeIdentifier(name)} = ${client.escapeLiteral(value)}`);
    }
    await client.query('SELECT pg_reload_conf()');
    // The reload is asynchronous; wait until every setting shows (or is stuck behind a restart).
    await waitFor(
      'postgres settings',
      async () => {
        const { rows } = await client.query<{ name: string; setting: string; pending_restart: boolean }>(
          'SELECT name, setting, pending_restart FROM pg_settings WHERE name = ANY($1)',
          [Object.keys(settings)],
        );
        const restart = rows.filter((row) => row.pending_restart).map((row) => row.name);
        if (restart.length) throw new Error(`needs a restart, not supported by the bench: ${restart.join(', ')}`);
        if (rows.length !== Object.keys(settings).length) throw new Error('unknown setting');
      },
      { timeoutMs: 5000 },
    );
  } finally {
    await client.end();
  }
}

async function seedBenchItems(url: string): Promise<void> {
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  const store = createInventoryStore(pool);
  await Promise.all(BENCH_ITEMS.map((itemId) => store.createItem(itemId, `Bench item ${itemId}`, BENCH_STOCK)));
  await pool.end();
}

async function waitForPollers(settings: TemporalConnectionSettings, taskQueue: string, worker: ManagedProcess): Promise<void> {
  // The real server requires mTLS: every client of the bench connects with the stack's settings.
  const connection = await Connection.connect(temporalConnectOptions(settings));
  try {
    await waitFor(
      `ceiling worker polling '${taskQueue}'`,
      async () => {
        if (!worker.running) throw new Error(`ceiling worker exited:\n${worker.tailLog()}`);
        const { pollers } = await connection.workflowService.describeTaskQueue({
          namespace: settings.namespace,
          taskQueue: { name: taskQueue },
        });
        if (pollers.length === 0) throw new Error('no poller yet');
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
  } finally {
    await connection.close();
  }
}

/**
 * The whole stack on free (never the default) ports in a throwaway folder, plus the ceiling
 * worker, on the dev server or the real Temporal server (`temporalMode`).
 */
export async function startBenchStack(
  root: string,
  options: BenchOptions,
  temporalMode: TemporalMode,
  progress: Progress,
): Promise<BenchStack> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `valerix-bench-${temporalMode}-`));
  fs.chmodSync(dataDir, 0o755); // the postgres user must reach its data folder inside
  const logsDir = path.join(dataDir, 'logs');
  const startup: Record<string, number> = {};
  const timed = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const started = Date.now();
    const result = await work();
    startup[name] = (Date.now() - started) / 1000;
    return result;
  };
  // The dev-server tuning (options.ts refuses it with the real server) goes through a wrapper of the CLI.
  if (temporalMode === 'dev') temporalWrapper(root, dataDir, options);
  const ports = await freeInfraPorts(temporalMode);
  const infra = await timed('infrastructure', () =>
    startInfrastructure({ root, dataDir, ports, durable: options.durable, temporalMode, progress }),
  );
  let services: SupervisedService[] = [];
  let ceilingWorker: ManagedProcess | undefined;
  const stop = async () => {
    await ceilingWorker?.stop(15_000);
    for (const service of [...services].reverse()) await service.stop();
    await infra.stop();
    if (!options.keepData) fs.rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await applyPostgresSettings(infra.postgres.url('superuser', 'postgres'), options.postgresSettings);
    await seedBenchItems(infra.env.INVENTORY_DATABASE_URL);
    progress(`seeded ${BENCH_ITEMS.length} bench items with ${BENCH_STOCK.toLocaleString('en')} units each`);
    const [orderBundle, ceilingBundle] = await timed('workflow bundles', () =>
      Promise.all([
        writeWorkflowBundle(dataDir, WORKFLOWS_PATH, 'order-workflows.js'),
        writeWorkflowBundle(dataDir, CEILING_WORKFLOWS_PATH, 'ceiling-workflows.js'),
      ]),
    );
    progress(`workflow bundles prebuilt (${startup['workflow bundles']!.toFixed(1)} s)`);
    const servicePorts = { inventory: await freePort(), gateway: await freePort(), worker: await freePort() };
    const ceilingPort = await freePort();
    services = await timed('services', () =>
      startServices({
        root,
        infra,
        ports: servicePorts,
        logsDir,
        // The load generator is one caller; a per-client budget would cap the bench, not the stack.
        extraEnv: { WORKFLOW_BUNDLE_PATH: orderBundle, ORDER_RATE_LIMIT_PER_MINUTE: '10000000', ...options.serviceEnv },
        progress,
        onRestart: (name, code) => progress(`WARNING: ${name} exited (code ${code}); restarting`),
      }),
    );
    // infra.env carries TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE and, on the real server, the TEMPORAL_TLS_* files.
    ceilingWorker = new ManagedProcess({
      name: 'ceiling-worker',
      command: process.execPath,
      args: ['--import', 'tsx', CEILING_WORKER_PATH],
      env: {
        ...infra.env,
        ...options.serviceEnv,
        TEMPORAL_TASK_QUEUE: CEILING_TASK_QUEUE,
        WORKFLOW_BUNDLE_PATH: ceilingBundle,
        WORKER_HTTP_PORT: String(ceilingPort),
      },
      logFile: path.join(logsDir, 'ceiling-worker.log'),
    }).start();
    const apiClients = createOrdersDb(infra.env.ORDERS_DATABASE_URL, 1);
    const { key: apiKey } = await createClientStore(apiClients)
      .create('bench', 'client')
      .finally(() => apiClients.$disconnect());
    const worker = ceilingWorker;
    await timed('ceiling worker', () => waitForPollers(infra.temporal.clientSettings, CEILING_TASK_QUEUE, worker));
    progress(`ceiling worker polling '${CEILING_TASK_QUEUE}'`);
    return {
      root,
      temporalMode,
      dataDir,
      infra,
      services,
      ceilingWorker,
      ceilingWorkerUrl: `http://127.0.0.1:${ceilingPort}`,
      gatewayUrl: `http://127.0.0.1:${servicePorts.gateway}`,
      apiKey,
      startup,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
