import { randomUUID } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createInventoryStore } from '../../api/inventory/store';
import { freePort } from '../../infra/ports';
import { SupervisedService, serviceSpecs } from '../../infra/stack';
import { PROMETHEUS_SERIES, parseSamples, referencedMetrics, sampleValue, type Sample } from '../../observability/references';
import { createTestItem, postOrder } from '../support/services';
import { ORDER_WORKFLOW_TYPE } from '../../shared/order-workflow';
import { temporalConnectionVariables } from '../../shared/temporal-connection';

/**
 * The real processes (api/gateway/server.ts, api/inventory/server.ts, workers/main.ts), as
 * `npm start` runs them, so the test sees what Prometheus would scrape: process metrics and
 * the Temporal SDK's exporter included.
 */
const ADMIN_TOKEN = 'metrics-test-admin-token';
const services: SupervisedService[] = [];
let urls: { gateway: string; inventory: string; worker: string };
let pool: pg.Pool;

beforeAll(async () => {
  const infra = inject('infra');
  const ports = { inventory: await freePort(), gateway: await freePort(), worker: await freePort(), workerSdkMetrics: await freePort() };
  urls = {
    gateway: `http://127.0.0.1:${ports.gateway}`,
    inventory: `http://127.0.0.1:${ports.inventory}`,
    worker: `http://127.0.0.1:${ports.worker}`,
  };
  const env = {
    ORDERS_DATABASE_URL: infra.ordersDatabaseUrl,
    INVENTORY_DATABASE_URL: infra.inventoryDatabaseUrl,
    REDIS_URL: infra.redisUrl,
    ...temporalConnectionVariables(infra.temporal),
    TEMPORAL_TASK_QUEUE: `orders-metrics-${randomUUID()}`,
    WORKFLOW_BUNDLE_PATH: infra.workflowBundlePath,
    INVENTORY_PORT: String(ports.inventory),
    INVENTORY_URL: urls.inventory,
    ADMIN_TOKEN,
    LOG_LEVEL: 'warn',
  };
  const logsDir = path.join(infra.dataDir, 'logs', 'metrics-test');
  // Each spec brings its own ports (GATEWAY_PORT, WORKER_HTTP_PORT, WORKER_SDK_METRICS_PORT).
  for (const spec of serviceSpecs(infra.root, ports)) {
    const service = new SupervisedService(spec, env, path.join(logsDir, `${spec.name}.log`));
    services.push(service);
    await service.waitHealthy();
  }
  pool = new pg.Pool({ connectionString: infra.inventoryDatabaseUrl, max: 2 });
});

afterAll(async () => {
  for (const service of services.reverse()) await service.stop();
  await pool?.end();
});

/** The gateway as the admin (ADMIN_TOKEN is also the gateway's admin credential). */
const asAdmin = () => ({ gatewayUrl: urls.gateway, clientKey: ADMIN_TOKEN });

async function scrape(url: string): Promise<{ contentType: string | null; samples: Sample[] }> {
  const response = await fetch(`${url}/metrics`);
  expect(response.status).toBe(200);
  return { contentType: response.headers.get('content-type'), samples: parseSamples(await response.text()) };
}

const chaos = (method: 'POST' | 'DELETE', body?: unknown) =>
  fetch(`${urls.inventory}/api/admin/chaos`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });

describe('metrics exported by the running services', () => {
  let scraped: Record<'gateway' | 'inventory' | 'worker', Sample[]>;
  let itemId: string;

  beforeAll(async () => {
    itemId = await createTestItem(createInventoryStore(pool), 10, 'metrics');
    // A confirmed order, a replay of it, and a refused one (unknown item: compensates and fails).
    const key = randomUUID();
    const confirmed = await postOrder(asAdmin(), { item_id: itemId, quantity: 2 }, { key, wait: 15 });
    expect(confirmed.body.status).toBe('CONFIRMED');
    const replay = await postOrder(asAdmin(), { item_id: itemId, quantity: 2 }, { key });
    expect(replay.headers.get('idempotency-replayed')).toBe('true');
    const refused = await postOrder(asAdmin(), { item_id: `missing-${randomUUID()}`, quantity: 1 }, { key: randomUUID(), wait: 15 });
    expect(refused.body).toMatchObject({ status: 'FAILED' });

    const [gateway, inventory, worker] = await Promise.all([scrape(urls.gateway), scrape(urls.inventory), scrape(urls.worker)]);
    for (const { contentType } of [gateway, inventory, worker]) expect(contentType).toContain('text/plain; version=0.0.4');
    scraped = { gateway: gateway.samples, inventory: inventory.samples, worker: worker.samples };
  });

  it('exports every metric the alert rules and the Grafana dashboard use', () => {
    const exported = new Set(Object.values(scraped).flatMap((samples) => samples.map((sample) => sample.name)));
    const referenced = referencedMetrics();
    expect(referenced.size).toBeGreaterThan(10);
    const missing = [...referenced]
      .filter(([name]) => !PROMETHEUS_SERIES.has(name) && !exported.has(name))
      .map(([name, uses]) => `${name} (used by ${[...new Set(uses)].join(', ')})`);
    expect(missing, 'referenced but not exported').toEqual([]);
  });

  it("keeps the seed's metric names, each on its service", () => {
    const names = (service: keyof typeof scraped) => new Set(scraped[service].map((sample) => sample.name));
    expect(names('worker')).toContain('order_processing_duration_seconds_bucket');
    expect(names('gateway')).toContain('http_request_duration_seconds_bucket');
    expect(names('inventory')).toContain('http_request_duration_seconds_bucket');
    expect(names('inventory')).toContain('inventory_chaos_enabled');
    for (const service of ['gateway', 'inventory', 'worker'] as const) {
      // Process metrics, and every series labelled with its service.
      expect(names(service)).toContain('process_cpu_seconds_total');
      expect(scraped[service].filter((sample) => sample.name === 'process_cpu_seconds_total')[0]!.labels.service).toBe(service);
    }
  });

  it('counts what the orders did, in each service', () => {
    const { gateway, inventory, worker } = scraped;
    expect(
      sampleValue(gateway, 'http_requests_total', { route: '/api/orders', method: 'POST', status_class: '2xx' }),
    ).toBeGreaterThanOrEqual(3);
    expect(sampleValue(gateway, 'idempotent_replays_total')).toBe(1);

    expect(
      sampleValue(inventory, 'inventory_reservation_outcomes_total', { operation: 'reserve', outcome: 'reserved' }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sampleValue(inventory, 'inventory_reservation_outcomes_total', { operation: 'reserve', outcome: 'unknown_item' }),
    ).toBeGreaterThanOrEqual(1);
    expect(sampleValue(inventory, 'inventory_stock_level', { item_id: itemId })).toBe(8);
    expect(sampleValue(inventory, 'inventory_reserved_level', { item_id: itemId })).toBe(2);
    expect(
      sampleValue(inventory, 'http_requests_total', { route: '/api/inventory/deduct', method: 'POST', status_class: '2xx' }),
    ).toBeGreaterThanOrEqual(1);

    expect(sampleValue(worker, 'orders_completed_total', { status: 'CONFIRMED', reason: 'none' })).toBe(1);
    expect(sampleValue(worker, 'orders_completed_total', { status: 'FAILED', reason: 'unknown_item' })).toBe(1);
    expect(sampleValue(worker, 'order_compensations_total', { reason: 'unknown_item' })).toBe(1);
    expect(sampleValue(worker, 'order_processing_duration_seconds_count')).toBe(2);
    // Through the SDK's exporter, merged into the worker's one /metrics.
    expect(sampleValue(worker, 'worker_sdk_metrics_up')).toBe(1);
    expect(sampleValue(worker, 'temporal_activity_execution_failed_total', { activity_type: 'reserveLine' })).toBeGreaterThanOrEqual(1);
    expect(
      sampleValue(worker, 'temporal_workflow_completed_total', { workflow_type: ORDER_WORKFLOW_TYPE, service: 'worker' }),
    ).toBeGreaterThanOrEqual(1);
  });

  it('reads the chaos state from the shared store at scrape time', async () => {
    const enabled = async () => sampleValue((await scrape(urls.inventory)).samples, 'inventory_chaos_enabled');
    expect(await enabled()).toBe(0);
    try {
      // Chaos on, with no fault armed: nothing else in this suite is disturbed.
      expect((await chaos('POST', { crash_rate: 0 })).status).toBe(200);
      await expect.poll(enabled, { timeout: 5_000 }).toBe(1);
    } finally {
      await chaos('DELETE');
    }
    await expect.poll(enabled, { timeout: 5_000 }).toBe(0);
  });
});

describe('worker /health/deep', () => {
  it('checks Temporal, the orders database, Redis and the inventory service', async () => {
    const response = await fetch(`${urls.worker}/health/deep`);
    const body = (await response.json()) as { status: string; checks: Record<string, { status: string; latency_ms: number }> };
    expect(response.status).toBe(200);
    expect(Object.keys(body.checks).sort()).toEqual(['inventory', 'orders_db', 'redis', 'temporal']);
    for (const check of Object.values(body.checks)) expect(check.status).toBe('up');
  });
});
