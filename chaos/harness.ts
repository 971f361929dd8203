import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { Redis } from 'ioredis';
import pg from 'pg';
import { createClientStore } from '../api/gateway/clients/store';
import { createInventoryStore } from '../api/inventory/store';
import type { ChaosUpdate } from '../shared/contract/chaos';
import { freePort } from '../infra/ports';
import {
  freeInfraPorts,
  startInfrastructure,
  startServices,
  type InfraPart,
  type Infrastructure,
  type ServiceRole,
  type SupervisedService,
  type TemporalMode,
} from '../infra/stack';
import { temporalConnectOptions } from '../shared/temporal-connection';
import { TERMINAL_STATUSES } from '../shared/contract/orders';
import { createOrdersDb } from '../shared/orders-db';
import { writeWorkflowBundle } from '../workers/workflow-bundle';
import { GaveUp, requestWithRetry } from './client';
import { checkInvariants, type InvariantResult } from './invariants';
import { DEFAULT_MIX, planWorkload, type PlannedOrder } from './workload';

export interface ChaosOptions {
  orders: number;
  concurrency: number;
  /** Chaos mode of the inventory service while orders run. */
  chaos: ChaosUpdate;
  /** kill -9 of worker, inventory and gateway, spread evenly, restarted by the supervisor. */
  kills: number;
  /** Clean restarts of Redis, Postgres and the Temporal dev server, spread evenly. */
  restarts: number;
  /** Minimum time between two faults. */
  faultIntervalMs: number;
  /** How long after the last fault every acknowledged order must be terminal. */
  settleLimitMs: number;
  /** A client gives up on one request after this long without a 2xx. */
  giveUpAfterMs: number;
  keepData: boolean;
  /** The Temporal dev server, or the real server (its four processes are what a restart restarts). */
  temporalMode: TemporalMode;
  /** Worker processes on the order task queue; kills rotate through them. */
  workers: number;
}

export const FULL_RUN: ChaosOptions = {
  orders: 2000,
  concurrency: 32,
  chaos: { crash_rate: 0.5, lost_response_rate: 0.2, latency_ms: 5000, latency_rate: 0.2, kill_rate: 0 },
  kills: 24,
  restarts: 6,
  faultIntervalMs: 2000,
  settleLimitMs: 180_000,
  giveUpAfterMs: 120_000,
  keepData: false,
  temporalMode: 'dev',
  workers: 1,
};

export interface FaultRecord {
  at: number;
  kind: 'kill' | 'restart' | 'chaos';
  target: string;
  ms: number;
}

export interface ChaosReport {
  options: ChaosOptions;
  durationMs: number;
  acknowledged: number;
  notAcknowledged: number;
  outcomes: Record<string, number>;
  duplicatesChecked: number;
  duplicateMismatches: number;
  cancelsAsked: number;
  unexpected4xx: string[];
  faults: FaultRecord[];
  supervisorRestarts: Record<string, number>;
  invariants: InvariantResult[];
  passed: boolean;
}

export type Progress = (line: string) => void;

const ADMIN_TOKEN = 'chaos-harness-admin';
// The worker proves it holds its own credential, as in a real deployment.
const INVENTORY_SERVICE_TOKEN = 'chaos-harness-service-token';
const KILL_ROLES: ServiceRole[] = ['worker', 'inventory', 'gateway'];
const RESTART_TARGETS: InfraPart[] = ['redis', 'postgres', 'temporal'];

/** Builds its own stack on free ports (so it can kill and restart every part), runs the workload under faults, then checks the invariants. */
export async function runChaos(options: ChaosOptions, progress: Progress, root: string): Promise<ChaosReport> {
  const started = Date.now();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'valerix-chaos-'));
  fs.chmodSync(dataDir, 0o755);
  progress(`stack in ${dataDir}`);
  const infra = await startInfrastructure({
    root,
    dataDir,
    durable: true,
    temporalMode: options.temporalMode,
    ports: await freeInfraPorts(options.temporalMode),
    progress: (line) => progress(`  ${line}`),
  });
  let services: SupervisedService[] = [];
  const clients: { close(): Promise<unknown> }[] = [];
  try {
    const ports = { inventory: await freePort(), gateway: await freePort(), worker: await freePort() };
    services = await startServices({
      root,
      infra,
      ports,
      scale: { workers: options.workers, gateways: 1 },
      logsDir: path.join(dataDir, 'logs'),
      // The harness is a single caller placing every order; per-client budgets are not under test here.
      extraEnv: {
        ADMIN_TOKEN,
        INVENTORY_SERVICE_TOKEN,
        ORDER_RATE_LIMIT_PER_MINUTE: '10000000',
        INVENTORY_RATE_LIMIT_PER_MINUTE: '10000000',
        LOG_LEVEL: 'warn',
        WORKFLOW_BUNDLE_PATH: await writeWorkflowBundle(dataDir),
      },
      progress: (line) => progress(`  ${line}`),
    });
    const gatewayUrl = `http://127.0.0.1:${ports.gateway}`;
    const inventoryUrl = `http://127.0.0.1:${ports.inventory}`;

    const inventoryDb = new pg.Pool({ connectionString: infra.env.INVENTORY_DATABASE_URL, max: 4 });
    const ordersDb = new pg.Pool({ connectionString: infra.env.ORDERS_DATABASE_URL, max: 4 });
    for (const pool of [inventoryDb, ordersDb]) pool.on('error', () => undefined); // Postgres restarts are the point
    clients.push({ close: () => inventoryDb.end() }, { close: () => ordersDb.end() });

    // The workload places its orders as one gateway client, as a shop would.
    const apiClients = createOrdersDb(infra.env.ORDERS_DATABASE_URL, 1);
    const { key: apiKey } = await createClientStore(apiClients)
      .create('chaos-harness', 'client')
      .finally(() => apiClients.$disconnect());
    const items = await seedItems(inventoryDb);
    const plan = planWorkload(options.orders, items, DEFAULT_MIX);
    const admin = (method: string, body?: ChaosUpdate) =>
      requestWithRetry(
        `${inventoryUrl}/api/admin/chaos`,
        {
          method,
          headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
          body: body ? JSON.stringify(body) : undefined,
        },
        { giveUpAfterMs: 60_000 },
      );
    await admin('POST', options.chaos);
    const faults: FaultRecord[] = [{ at: Date.now() - started, kind: 'chaos', target: JSON.stringify(options.chaos), ms: 0 }];

    const state = {
      acknowledged: new Map<string, string>(),
      outcomes: {} as Record<string, number>,
      notAcknowledged: 0,
      duplicatesChecked: 0,
      duplicateMismatches: 0,
      cancelsAsked: 0,
      unexpected4xx: [] as string[],
    };
    let workloadDone = false;
    const workload = runWorkload(plan, options, { gatewayUrl, apiKey }, state).finally(() => (workloadDone = true));
    const answered = () => state.acknowledged.size + state.notAcknowledged;
    const injector = injectFaults(options, infra, services, faults, started, answered, () => workloadDone);
    const ticker = setInterval(() => {
      const kills = faults.filter((fault) => fault.kind === 'kill').length;
      const restarts = faults.filter((fault) => fault.kind === 'restart').length;
      progress(
        `orders answered ${state.acknowledged.size + state.notAcknowledged}/${options.orders} | faults: ${kills} kills, ${restarts} restarts`,
      );
    }, 3000);
    await Promise.all([workload, injector]);
    clearInterval(ticker);

    await admin('DELETE');
    progress('all orders answered; chaos off; waiting for every order to settle');
    const settledWithinMs = await waitUntilSettled(ordersDb, [...state.acknowledged.values()], options.settleLimitMs, progress);

    const connection = await Connection.connect(temporalConnectOptions(infra.temporal.clientSettings));
    clients.push(connection);
    const redis = new Redis(infra.env.REDIS_URL);
    clients.push({ close: () => redis.quit() });
    // Visibility (workflow listing) trails the history store by a moment.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const invariants = await checkInvariants({
      acknowledged: state.acknowledged,
      ordersDb,
      inventoryDb,
      redis,
      temporal: new Client({ connection }),
      settledWithinMs,
      settleLimitMs: options.settleLimitMs,
    });
    const outcomes = Object.fromEntries(
      (
        await ordersDb.query<{ status: string; reason: string | null; n: number }>(
          `SELECT status, reason, count(*)::int AS n FROM orders GROUP BY status, reason ORDER BY status, reason`,
        )
      ).rows.map((row) => [`${row.status}${row.reason ? ` (${row.reason})` : ''}`, row.n]),
    );
    const unexpected = state.unexpected4xx.length === 0 && state.duplicateMismatches === 0;
    return {
      options,
      durationMs: Date.now() - started,
      acknowledged: state.acknowledged.size,
      notAcknowledged: state.notAcknowledged,
      outcomes,
      duplicatesChecked: state.duplicatesChecked,
      duplicateMismatches: state.duplicateMismatches,
      cancelsAsked: state.cancelsAsked,
      unexpected4xx: state.unexpected4xx,
      faults,
      supervisorRestarts: Object.fromEntries(services.map((service) => [service.spec.name, service.restarts])),
      invariants,
      passed: unexpected && invariants.every((invariant) => invariant.ok),
    };
  } finally {
    for (const service of services.reverse()) await service.stop().catch(() => undefined);
    for (const client of clients) await client.close().catch(() => undefined);
    await infra.stop();
    if (!options.keepData) fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

async function seedItems(inventoryDb: pg.Pool) {
  const store = createInventoryStore(inventoryDb);
  const plentiful = ['chaos-ps5', 'chaos-xbox', 'chaos-switch', 'chaos-deck', 'chaos-pad', 'chaos-headset'];
  const scarce = ['chaos-rare-1', 'chaos-rare-2'];
  for (const itemId of plentiful) await store.createItem(itemId, itemId, 1_000_000);
  for (const itemId of scarce) await store.createItem(itemId, itemId, 5);
  return { plentiful, scarce };
}

interface WorkloadState {
  acknowledged: Map<string, string>;
  notAcknowledged: number;
  duplicatesChecked: number;
  duplicateMismatches: number;
  cancelsAsked: number;
  unexpected4xx: string[];
}

async function runWorkload(
  plan: PlannedOrder[],
  options: ChaosOptions,
  { gatewayUrl, apiKey }: { gatewayUrl: string; apiKey: string },
  state: WorkloadState,
): Promise<void> {
  let next = 0;
  const authorization = `Bearer ${apiKey}`;
  const post = (order: PlannedOrder) =>
    requestWithRetry(
      `${gatewayUrl}/api/orders`,
      {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/json', 'idempotency-key': order.key },
        body: JSON.stringify(order.body),
      },
      { giveUpAfterMs: options.giveUpAfterMs },
    );
  const one = async (order: PlannedOrder) => {
    let answer;
    try {
      answer = await post(order);
    } catch (err) {
      if (!(err instanceof GaveUp)) throw err;
      state.notAcknowledged += 1;
      return;
    }
    if (answer.status !== 201 && answer.status !== 202) {
      state.unexpected4xx.push(`POST ${order.key}: ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`);
      return;
    }
    const orderId = answer.body.id as string;
    state.acknowledged.set(order.key, orderId);
    if (order.duplicate) {
      const again = await post(order).catch(() => undefined);
      if (again) {
        state.duplicatesChecked += 1;
        if (again.body.id !== orderId || again.headers.get('idempotency-replayed') !== 'true') state.duplicateMismatches += 1;
      }
    }
    if (order.cancelAfterMs !== undefined) {
      await new Promise((resolve) => setTimeout(resolve, order.cancelAfterMs));
      state.cancelsAsked += 1;
      const cancel = await requestWithRetry(
        `${gatewayUrl}/api/orders/${orderId}/cancel`,
        { method: 'POST', headers: { authorization } },
        { giveUpAfterMs: options.giveUpAfterMs },
      ).catch(() => undefined);
      if (cancel && ![200, 202, 409].includes(cancel.status)) state.unexpected4xx.push(`cancel ${orderId}: ${cancel.status}`);
    }
  };
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      while (next < plan.length) await one(plan[next++]!);
    }),
  );
}

async function injectFaults(
  options: ChaosOptions,
  infra: Infrastructure,
  services: SupervisedService[],
  faults: FaultRecord[],
  started: number,
  answered: () => number,
  done: () => boolean,
): Promise<void> {
  const schedule: { kind: 'kill' | 'restart'; target: string }[] = [];
  // Every instance in turn: worker-1, inventory, gateway, worker-2, ... with two workers.
  const byRole = KILL_ROLES.map((role) => services.filter((service) => service.spec.role === role).map((service) => service.spec.name));
  const killTargets = Array.from({ length: Math.max(...byRole.map((names) => names.length)) }, (_, i) =>
    byRole.map((names) => names[i % names.length]!),
  ).flat();
  const total = options.kills + options.restarts;
  for (let i = 0, kills = 0, restarts = 0; i < total; i += 1) {
    // Interleave restarts evenly among the kills.
    const restartDue = restarts < options.restarts && (kills >= options.kills || (i + 1) * options.restarts >= (restarts + 1) * total);
    if (restartDue) schedule.push({ kind: 'restart', target: RESTART_TARGETS[restarts++ % RESTART_TARGETS.length]! });
    else schedule.push({ kind: 'kill', target: killTargets[kills++ % killTargets.length]! });
  }
  // Faults are spread over the workload's progress (fault i once i/(n+1) of the orders are
  // answered), at least faultIntervalMs apart, so they land while orders are in flight.
  for (const [index, fault] of schedule.entries()) {
    await new Promise((resolve) => setTimeout(resolve, options.faultIntervalMs));
    while (!done() && answered() < ((index + 1) * options.orders) / (schedule.length + 1)) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    if (done()) return;
    const at = Date.now();
    if (fault.kind === 'kill') {
      const service = services.find((candidate) => candidate.spec.name === fault.target)!;
      if (!service.process.running) continue;
      await service.crash();
    } else {
      await infra.restart(fault.target as InfraPart);
    }
    faults.push({ at: at - started, kind: fault.kind, target: fault.target, ms: Date.now() - at });
  }
}

async function waitUntilSettled(ordersDb: pg.Pool, orderIds: string[], limitMs: number, progress: Progress): Promise<number | undefined> {
  const started = Date.now();
  let lastReport = 0;
  while (Date.now() - started < limitMs) {
    const { rows } = await ordersDb
      .query<{ n: number }>(`SELECT count(*)::int AS n FROM orders WHERE id = ANY($1) AND status = ANY($2)`, [orderIds, TERMINAL_STATUSES])
      .catch(() => ({ rows: [{ n: -1 }] }));
    const terminal = rows[0]!.n;
    if (terminal === orderIds.length) return Date.now() - started;
    if (Date.now() - lastReport > 3000) {
      progress(`settling: ${terminal}/${orderIds.length} terminal`);
      lastReport = Date.now();
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return undefined;
}
