import Fastify from 'fastify';
import pino from 'pino';
import type { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { registerGatewayMetrics } from '../../api/gateway/metrics';
import { registerHttpMetrics } from '../../api/http/metrics';
import { registerInventoryMetrics } from '../../api/inventory/metrics';
import { createMetricsRegistry } from '../../shared/metrics';
import { registerProblemHandling } from '../../api/http/problem';
import { parseSamples, sampleValue } from '../../observability/references';

const silent = pino({ level: 'silent' });
const apps: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

const scrape = async (registry: Registry) => parseSamples(await registry.metrics());
const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

async function appWithMetrics() {
  const registry = createMetricsRegistry('test');
  const app = Fastify({ forceCloseConnections: true });
  apps.push(app);
  registerProblemHandling(app);
  registerHttpMetrics(app, registry);
  app.get('/items/:id', async (request, reply) =>
    (request.params as { id: string }).id === 'missing' ? reply.code(404).send({}) : { ok: true },
  );
  app.post('/boom', async () => {
    throw new Error('kaput');
  });
  // The inventory's lost response: committed, then the connection closes with no answer.
  app.post('/drop', async (_request, reply) => {
    reply.hijack();
    reply.raw.socket?.destroy();
  });
  // Server-Sent Events: headers go out at once, the body never ends.
  app.get('/stream', async (_request, reply) => {
    reply.hijack();
    reply.raw.writeHead(200, { 'content-type': 'text/event-stream' });
    reply.raw.write('retry: 3000\n\n');
  });
  return { app, registry };
}

async function listen(app: ReturnType<typeof Fastify>) {
  await app.listen({ host: '127.0.0.1', port: 0 });
  return `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
}

describe('HTTP RED metrics', () => {
  it('labels requests by route template, method and status class, never by raw URL', async () => {
    const { app, registry } = await appWithMetrics();
    await app.inject({ method: 'GET', url: '/items/a1' });
    await app.inject({ method: 'GET', url: '/items/b2?x=1' });
    await app.inject({ method: 'GET', url: '/items/missing' });
    await app.inject({ method: 'POST', url: '/boom' });
    await app.inject({ method: 'GET', url: '/no/such/route/123' });
    await settle();
    const samples = await scrape(registry);
    const count = (labels: Record<string, string>) => sampleValue(samples, 'http_requests_total', { service: 'test', ...labels });
    expect(count({ route: '/items/:id', method: 'GET', status_class: '2xx' })).toBe(2);
    expect(count({ route: '/items/:id', method: 'GET', status_class: '4xx' })).toBe(1);
    expect(count({ route: '/boom', method: 'POST', status_class: '5xx' })).toBe(1);
    expect(count({ route: 'unmatched', method: 'GET', status_class: '4xx' })).toBe(1);
    expect(new Set(samples.flatMap((sample) => Object.values(sample.labels)))).not.toContain('/no/such/route/123');
    expect(sampleValue(samples, 'http_request_duration_seconds_count', { route: '/items/:id', status_class: '2xx' })).toBe(2);
    // The histogram has an edge at 1 s: dashboards and alerts turn red exactly there.
    expect(sampleValue(samples, 'http_request_duration_seconds_bucket', { route: '/items/:id', status_class: '2xx', le: '1' })).toBe(2);
  });

  it('serves /metrics in Prometheus text format without counting itself', async () => {
    const { app } = await appWithMetrics();
    await app.inject({ method: 'GET', url: '/metrics' });
    const response = await app.inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/plain; version=0.0.4');
    expect(response.body).toContain('# TYPE http_requests_total counter');
    expect(response.body).not.toContain('route="/metrics"');
  });

  it('counts an answer dropped before it was sent as aborted, with its duration', async () => {
    const { app, registry } = await appWithMetrics();
    const url = await listen(app);
    await expect(fetch(`${url}/drop`, { method: 'POST' })).rejects.toThrow();
    await settle();
    const samples = await scrape(registry);
    expect(sampleValue(samples, 'http_requests_total', { route: '/drop', status_class: 'aborted' })).toBe(1);
    expect(sampleValue(samples, 'http_request_duration_seconds_count', { route: '/drop', status_class: 'aborted' })).toBe(1);
  });

  it('counts a stream cut after its headers by its status, without a duration', async () => {
    const { app, registry } = await appWithMetrics();
    const url = await listen(app);
    const client = new AbortController();
    const response = await fetch(`${url}/stream`, { signal: client.signal });
    expect(response.status).toBe(200);
    client.abort();
    await settle();
    const samples = await scrape(registry);
    expect(sampleValue(samples, 'http_requests_total', { route: '/stream', status_class: '2xx' })).toBe(1);
    expect(sampleValue(samples, 'http_request_duration_seconds_count', { route: '/stream' })).toBeUndefined();
  });

  it('gives each app its own registry: two apps in one process do not clash', async () => {
    const first = await appWithMetrics();
    const second = await appWithMetrics();
    await first.app.inject({ method: 'GET', url: '/items/a' });
    await settle();
    expect(sampleValue(await scrape(first.registry), 'http_requests_total')).toBe(1);
    expect(sampleValue(await scrape(second.registry), 'http_requests_total')).toBeUndefined();
  });
});

describe('gateway metrics', () => {
  it('reports stuck orders as counted at scrape time, and NaN when the count fails', async () => {
    const registry = createMetricsRegistry('gateway');
    let stuck: () => Promise<number> = async () => 3;
    registerGatewayMetrics(Fastify(), registry, { count: () => stuck(), afterSeconds: 600 }, async () => undefined);
    expect(sampleValue(await scrape(registry), 'orders_stuck')).toBe(3);
    stuck = async () => Promise.reject(new Error('database down'));
    expect(sampleValue(await scrape(registry), 'orders_stuck')).toBeNaN();
  });

  it('reports the newest backup as read at scrape time: 0 before the first, NaN when the read fails', async () => {
    const registry = createMetricsRegistry('gateway');
    let lastBackup: () => Promise<{ finishedAt: Date; sizeBytes: number } | undefined> = async () => undefined;
    registerGatewayMetrics(Fastify(), registry, { count: async () => 0, afterSeconds: 600 }, () => lastBackup());
    expect(sampleValue(await scrape(registry), 'backup_last_success_timestamp_seconds')).toBe(0);
    lastBackup = async () => ({ finishedAt: new Date('2026-12-03T00:00:05Z'), sizeBytes: 4096 });
    expect(sampleValue(await scrape(registry), 'backup_last_success_timestamp_seconds')).toBe(Date.parse('2026-12-03T00:00:05Z') / 1000);
    expect(sampleValue(await scrape(registry), 'backup_last_size_bytes')).toBe(4096);
    lastBackup = async () => Promise.reject(new Error('database down'));
    expect(sampleValue(await scrape(registry), 'backup_last_size_bytes')).toBeNaN();
  });

  it('counts idempotent replays from the Idempotency-Replayed header of POST /api/orders only', async () => {
    const registry = createMetricsRegistry('gateway');
    const app = Fastify();
    apps.push(app);
    registerGatewayMetrics(app, registry, { count: async () => 0, afterSeconds: 600 }, async () => undefined);
    app.post('/api/orders', async (request, reply) => {
      if ((request.body as { replay?: boolean }).replay) reply.header('idempotency-replayed', 'true');
      return { ok: true };
    });
    app.get('/api/orders', async (_request, reply) => reply.header('idempotency-replayed', 'true').send({}));
    await app.inject({ method: 'POST', url: '/api/orders', payload: { replay: false } });
    await app.inject({ method: 'POST', url: '/api/orders', payload: { replay: true } });
    await app.inject({ method: 'POST', url: '/api/orders', payload: { replay: true } });
    await app.inject({ method: 'GET', url: '/api/orders' });
    expect(sampleValue(await scrape(registry), 'idempotent_replays_total', { service: 'gateway' })).toBe(2);
  });
});

describe('inventory metrics', () => {
  const items = () => [
    { item_id: 'ps5', stock: 7, reserved: 3 },
    { item_id: 'xbox', stock: 0, reserved: 1 },
  ];

  it('reads stock and chaos state at scrape time, with one stock query per scrape', async () => {
    const registry = createMetricsRegistry('inventory');
    let queries = 0;
    let current = items();
    let chaos = { enabled: false, latency_rate: 0, crash_rate: 0.3, lost_response_rate: 0, kill_rate: 0 };
    registerInventoryMetrics(registry, {
      items: async () => {
        queries += 1;
        return current;
      },
      chaos: async () => chaos,
      log: silent,
    });
    const before = await scrape(registry);
    expect(queries).toBe(1);
    expect(sampleValue(before, 'inventory_stock_level', { item_id: 'ps5', service: 'inventory' })).toBe(7);
    expect(sampleValue(before, 'inventory_stock_level', { item_id: 'xbox' })).toBe(0);
    expect(sampleValue(before, 'inventory_reserved_level', { item_id: 'ps5' })).toBe(3);
    expect(sampleValue(before, 'inventory_chaos_enabled')).toBe(0);
    // Rates of a switched-off chaos mode are kept in Redis but do not apply: reported as 0.
    expect(sampleValue(before, 'inventory_chaos_fault_rate', { fault: 'crash' })).toBe(0);

    chaos = { ...chaos, enabled: true };
    current = [{ item_id: 'ps5', stock: 5, reserved: 5 }];
    const after = await scrape(registry);
    expect(queries).toBe(2);
    expect(sampleValue(after, 'inventory_chaos_enabled')).toBe(1);
    expect(sampleValue(after, 'inventory_chaos_fault_rate', { fault: 'crash' })).toBe(0.3);
    expect(sampleValue(after, 'inventory_stock_level', { item_id: 'ps5' })).toBe(5);
    // An item gone from the store leaves no stale series behind.
    expect(sampleValue(after, 'inventory_stock_level', { item_id: 'xbox' })).toBeUndefined();
  });

  it('still answers the scrape when the stock query fails, without stale stock', async () => {
    const registry = createMetricsRegistry('inventory');
    let failing = false;
    registerInventoryMetrics(registry, {
      items: async () => {
        if (failing) throw new Error('database down');
        return items();
      },
      log: silent,
    });
    expect(sampleValue(await scrape(registry), 'inventory_stock_level')).toBe(7);
    failing = true;
    const samples = await scrape(registry);
    expect(sampleValue(samples, 'inventory_stock_level')).toBeUndefined();
    // No chaos store wired in: reported as off.
    expect(sampleValue(samples, 'inventory_chaos_enabled')).toBe(0);
  });

  it('counts reservation outcomes with snake_case labels', async () => {
    const registry = createMetricsRegistry('inventory');
    const metrics = registerInventoryMetrics(registry, { items: async () => [], log: silent });
    metrics.outcome('reserve', 'out-of-stock');
    metrics.outcome('reserve', 'reserved');
    metrics.outcome('reserve', 'reserved');
    metrics.outcome('release', 'released-before-reserved');
    const samples = await scrape(registry);
    const outcome = (operation: string, value: string) =>
      sampleValue(samples, 'inventory_reservation_outcomes_total', { operation, outcome: value });
    expect(outcome('reserve', 'out_of_stock')).toBe(1);
    expect(outcome('reserve', 'reserved')).toBe(2);
    expect(outcome('release', 'released_before_reserved')).toBe(1);
  });
});
