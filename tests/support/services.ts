import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import pg from 'pg';
import { inject } from 'vitest';
import { createInventoryClient, createOrderActivities, createOrderEventPublisher } from '../../activities';
import { createOrderRecords } from '../../shared/order-records';
import { buildGatewayApp } from '../../api/gateway/app';
import { createClientStore } from '../../api/gateway/clients/store';
import { buildInventoryApp } from '../../api/inventory/app';
import { NO_FAULTS, type InventoryFaults } from '../../api/inventory/faults';
import { createChaosStore } from '../../api/inventory/chaos';
import { createInventoryStore, type InventoryStore } from '../../api/inventory/store';
import type { OrderPolicy } from '../../shared/contract/orders';
import { createOrdersDb, type OrdersDb } from '../../shared/orders-db';
import { temporalConnectOptions } from '../../shared/temporal-connection';
import { createOrderWorker } from '../../workers/order-worker';

// Worker state changes and retries are noise in test output; warnings and errors still show.
try {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
} catch {
  // already installed by an earlier file in this process
}

const TEST_POLICY: OrderPolicy = {
  inventoryDeadlineMs: 8_000,
  inventoryCallTimeoutMs: 2_000,
  returnWindowMs: 10 * 60_000,
};

export interface TestServicesOptions {
  policy?: Partial<OrderPolicy>;
  /** Fault hooks of the inventory service; tests can swap them at any time through `faults`. */
  faults?: InventoryFaults;
  /** Real chaos mode (settings in Redis, admin routes with TEST_ADMIN_TOKEN) instead of injected faults. */
  chaos?: boolean;
  withWorker?: boolean;
  /** Budgets per caller and minute; high unless a test is about them. */
  ordersPerMinute?: number;
  inventoryPerMinute?: number;
  /** The worker's HTTP timeout per inventory call (production: 8 s); short by default so outages show fast. */
  inventoryRequestTimeoutMs?: number;
  /** Databases of their own (as the app role) instead of the suite's shared pair. */
  databaseUrls?: { orders: string; inventory: string };
}

export const TEST_ADMIN_TOKEN = 'test-admin-token';
export const TEST_STUCK_AFTER_MS = 60_000;
export const TEST_SERVICE_TOKEN = 'test-service-token';
const TEST_CREDENTIALS = { adminToken: TEST_ADMIN_TOKEN, serviceToken: TEST_SERVICE_TOKEN };

/**
 * The inventory service, a worker and the gateway, in this process, against the suite's real
 * Postgres, Redis and Temporal. Each call gets a task queue of its own.
 */
export async function startTestServices(options: TestServicesOptions = {}) {
  const infra = inject('infra');
  const taskQueue = `orders-test-${randomUUID()}`;
  const policy = { ...TEST_POLICY, ...options.policy };
  const faults: { current: InventoryFaults } = { current: options.faults ?? NO_FAULTS };
  const delegatingFaults: InventoryFaults = {
    beforeCommit: (operation) => faults.current.beforeCommit(operation),
    afterCommit: (operation) => faults.current.afterCommit(operation),
  };

  const inventoryPool = new pg.Pool({ connectionString: options.databaseUrls?.inventory ?? infra.inventoryDatabaseUrl, max: 20 });
  const inventoryStore = createInventoryStore(inventoryPool);
  let inventoryApp: FastifyInstance | undefined;
  let inventoryPort = 0;
  const inventoryRedis = new Redis(infra.redisUrl);
  const chaosRedis = options.chaos ? inventoryRedis : undefined;
  const chaos = chaosRedis ? { store: createChaosStore(chaosRedis, 0), ping: () => chaosRedis.ping() } : undefined;
  const startInventory = async () => {
    inventoryApp = await buildInventoryApp({
      store: inventoryStore,
      logLevel: 'silent',
      credentials: TEST_CREDENTIALS,
      rateLimit: { redis: inventoryRedis, perMinute: options.inventoryPerMinute ?? 1_000_000, servicePerMinute: 1_000_000 },
      chaos,
      faults: chaos ? undefined : delegatingFaults,
    });
    await inventoryApp.listen({ host: '127.0.0.1', port: inventoryPort });
    inventoryPort = (inventoryApp.server.address() as { port: number }).port;
  };
  const stopInventory = async () => {
    await inventoryApp?.close();
    inventoryApp = undefined;
  };
  await startInventory();
  const inventoryUrl = `http://127.0.0.1:${inventoryPort}`;

  const ordersDb: OrdersDb = createOrdersDb(options.databaseUrls?.orders ?? infra.ordersDatabaseUrl);
  const redis = new Redis(infra.redisUrl);
  const redisSubscriber = new Redis(infra.redisUrl, { maxRetriesPerRequest: null });
  const workerRedis = new Redis(infra.redisUrl);

  let worker: Worker | undefined;
  let workerRun: Promise<void> | undefined;
  const nativeConnection = await NativeConnection.connect(temporalConnectOptions(infra.temporal));
  const startWorker = async () => {
    worker = await createOrderWorker({
      connection: nativeConnection,
      namespace: infra.temporal.namespace,
      taskQueue,
      activities: createOrderActivities({
        inventory: createInventoryClient({
          baseUrl: inventoryUrl,
          requestTimeoutMs: options.inventoryRequestTimeoutMs ?? 1_500,
          serviceToken: TEST_SERVICE_TOKEN,
        }),
        orders: createOrderRecords(ordersDb),
        events: createOrderEventPublisher(workerRedis),
      }),
      workflowBundleCode: fs.readFileSync(infra.workflowBundlePath, 'utf8'),
      tuning: { shutdownGraceTime: '1s' },
    });
    workerRun = worker.run();
  };
  const stopWorker = async () => {
    if (worker && worker.getState() === 'RUNNING') worker.shutdown();
    await workerRun;
    worker = undefined;
  };
  if (options.withWorker !== false) await startWorker();

  const connection = await Connection.connect(temporalConnectOptions(infra.temporal));
  const temporal = new Client({ connection, namespace: infra.temporal.namespace });
  const gateway = await buildGatewayApp({
    temporal,
    db: ordersDb,
    redis,
    redisSubscriber,
    inventoryUrl,
    policy,
    taskQueue,
    logLevel: 'silent',
    stuckAfterMs: TEST_STUCK_AFTER_MS,
    ordersPerMinute: options.ordersPerMinute ?? 1_000_000,
    adminToken: TEST_ADMIN_TOKEN,
  });
  // A client of its own per call: tests see only their own orders unless they act as admin.
  const { client, key: clientKey } = await createClientStore(ordersDb).create(`test-${randomUUID().slice(0, 8)}`, 'client');
  await gateway.listen({ host: '127.0.0.1', port: 0 });
  const gatewayUrl = `http://127.0.0.1:${(gateway.server.address() as { port: number }).port}`;

  return {
    gateway,
    gatewayUrl,
    clientId: client.id,
    clientKey,
    inventoryUrl,
    inventoryStore,
    inventoryPool,
    ordersDb,
    redis,
    temporal,
    taskQueue,
    policy,
    faults,
    startInventory,
    stopInventory,
    startWorker,
    stopWorker,
    async stop() {
      await gateway.close();
      await stopWorker();
      await stopInventory();
      await Promise.allSettled([
        nativeConnection.close(),
        connection.close(),
        ordersDb.$disconnect(),
        inventoryPool.end(),
        redis.quit(),
        workerRedis.quit(),
        inventoryRedis.quit(),
      ]);
    },
  };
}

export type TestServices = Awaited<ReturnType<typeof startTestServices>>;

/** A fresh item per test, so tests never share stock. */
export async function createTestItem(store: InventoryStore, stock: number, prefix = 'item'): Promise<string> {
  const itemId = `${prefix}-${randomUUID().slice(0, 8)}`;
  await store.createItem(itemId, `Test ${itemId}`, stock);
  return itemId;
}

/** A gateway and the API key to call it with. */
export interface GatewayTarget {
  gatewayUrl: string;
  clientKey: string;
}

export const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

export interface PostOrderOptions {
  key?: string;
  wait?: number;
  headers?: Record<string, string>;
}

export async function postOrder({ gatewayUrl, clientKey }: GatewayTarget, body: unknown, options: PostOrderOptions = {}) {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...bearer(clientKey), ...options.headers };
  if (options.key !== undefined) headers['idempotency-key'] = options.key;
  if (options.wait !== undefined) headers.prefer = `wait=${options.wait}`;
  const response = await fetch(`${gatewayUrl}/api/orders`, { method: 'POST', headers, body: JSON.stringify(body) });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export async function getOrder({ gatewayUrl, clientKey }: GatewayTarget, id: string) {
  const response = await fetch(`${gatewayUrl}/api/orders/${id}`, { headers: bearer(clientKey) });
  return { status: response.status, body: (await response.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** Polls the order until its status is one of `statuses`. */
export async function waitForStatus(gateway: GatewayTarget, id: string, statuses: string[], timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  let last: Record<string, unknown> | undefined;
  while (Date.now() < deadline) {
    const { status, body } = await getOrder(gateway, id);
    if (status === 200) {
      last = body;
      if (statuses.includes(body.status as string)) return body;
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  throw new Error(`order ${id} did not reach ${statuses.join('/')} in ${timeoutMs} ms; last: ${JSON.stringify(last)}`);
}
