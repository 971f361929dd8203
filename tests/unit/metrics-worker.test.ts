import http from 'node:http';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createOrderActivities, type OrderMetrics } from '../../activities';
import { parseSamples, sampleValue } from '../../observability/references';
import type { OrderState, OrderStatus } from '../../shared/contract/orders';
import { deepHealthRoute } from '../../workers/http';
import { createOrderMetrics, createWorkerMetricsEndpoint, createWorkerRegistry } from '../../workers/metrics';

const silent = pino({ level: 'silent' });
const servers: http.Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

const CREATED = '2026-01-01T00:00:00.000Z';
function state(status: OrderStatus, reason: OrderState['reason'], secondsAfterCreation: number, version = 1): OrderState {
  return {
    orderId: 'order-1',
    status,
    reason,
    lines: [],
    version,
    cancelRequested: false,
    createdAt: CREATED,
    updatedAt: new Date(Date.parse(CREATED) + secondsAfterCreation * 1000).toISOString(),
    timeline: [],
  };
}

describe('order metrics (worker)', () => {
  it('counts terminal statuses with their reason and times acceptance to outcome', async () => {
    const registry = createWorkerRegistry();
    const metrics = createOrderMetrics(registry);
    metrics.transitionRecorded(state('PENDING', undefined, 0));
    metrics.transitionRecorded(state('CONFIRMED', undefined, 0.4));
    metrics.transitionRecorded(state('COMPENSATING', 'inventory_unavailable', 8));
    metrics.transitionRecorded(state('FAILED', 'inventory_unavailable', 8.5));
    const samples = parseSamples(await registry.metrics());
    expect(sampleValue(samples, 'orders_completed_total', { status: 'CONFIRMED', reason: 'none', service: 'worker' })).toBe(1);
    expect(sampleValue(samples, 'orders_completed_total', { status: 'FAILED', reason: 'inventory_unavailable' })).toBe(1);
    expect(sampleValue(samples, 'orders_completed_total', { status: 'PENDING' })).toBeUndefined();
    expect(sampleValue(samples, 'order_compensations_total', { reason: 'inventory_unavailable' })).toBe(1);
    expect(sampleValue(samples, 'order_processing_duration_seconds_bucket', { status: 'CONFIRMED', le: '0.5' })).toBe(1);
    expect(sampleValue(samples, 'order_processing_duration_seconds_bucket', { status: 'FAILED', le: '5' })).toBe(0);
    expect(sampleValue(samples, 'order_processing_duration_seconds_sum', { status: 'FAILED' })).toBeCloseTo(8.5);
  });

  it('exports every status and reason at 0 before the first order, and nothing else', async () => {
    const registry = createWorkerRegistry();
    createOrderMetrics(registry);
    const samples = parseSamples(await registry.metrics());
    const completed = samples.filter((sample) => sample.name === 'orders_completed_total');
    expect(completed.map((sample) => `${sample.labels.status}/${sample.labels.reason}`).sort()).toEqual([
      'CANCELLED/cancelled',
      'CANCELLED/returned',
      'CONFIRMED/none',
      'FAILED/invalid_quantity',
      'FAILED/inventory_unavailable',
      'FAILED/out_of_stock',
      'FAILED/record_rejected',
      'FAILED/unknown_item',
    ]);
    expect(completed.every((sample) => sample.value === 0)).toBe(true);
    expect(sampleValue(samples, 'order_processing_duration_seconds_count', { status: 'FAILED' })).toBe(0);
  });

  it('counts a return as CANCELLED/returned and a compensation, but not as processing time', async () => {
    const registry = createWorkerRegistry();
    const metrics = createOrderMetrics(registry);
    metrics.transitionRecorded(state('CONFIRMED', undefined, 0.3));
    metrics.transitionRecorded(state('CANCELLING', 'returned', 86_400));
    metrics.transitionRecorded(state('CANCELLED', 'returned', 86_401));
    const samples = parseSamples(await registry.metrics());
    expect(sampleValue(samples, 'orders_completed_total', { status: 'CANCELLED', reason: 'returned' })).toBe(1);
    expect(sampleValue(samples, 'order_compensations_total', { reason: 'returned' })).toBe(1);
    expect(sampleValue(samples, 'order_processing_duration_seconds_count')).toBe(1);
  });
});

describe('recordTransition feeds the metrics once per transition written', () => {
  it('skips transitions the orders database already holds (a retried activity)', async () => {
    const recorded: OrderState[] = [];
    const metrics: OrderMetrics = { transitionRecorded: (s) => recorded.push(s) };
    let written = true;
    const activities = createOrderActivities({
      inventory: { reserve: async () => ({ replayed: false }), release: async () => undefined },
      orders: { saveTransition: async () => ({ written }) },
      events: {
        publish: async (s) => ({
          eventId: `${s.orderId}:${s.version}`,
          orderId: s.orderId,
          status: s.status,
          version: s.version,
          at: s.updatedAt,
        }),
      },
      metrics,
    });
    const env = new MockActivityEnvironment(undefined, { logger: new DefaultLogger('WARN') });
    await env.run(activities.recordTransition, state('CONFIRMED', undefined, 1, 2));
    written = false;
    await env.run(activities.recordTransition, state('CONFIRMED', undefined, 1, 2));
    expect(recorded.map((s) => s.status)).toEqual(['CONFIRMED']);
  });
});

describe('worker /metrics', () => {
  async function fakeSdkExporter(body: string) {
    const server = http.createServer((_request, response) => response.end(body));
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as { port: number }).port}/metrics`;
  }

  it("serves its own metrics and the Temporal SDK exporter's in one answer", async () => {
    const registry = createWorkerRegistry();
    createOrderMetrics(registry).transitionRecorded(state('CONFIRMED', undefined, 0.2));
    const url = await fakeSdkExporter(
      '# TYPE temporal_workflow_completed_total counter\ntemporal_workflow_completed_total{service="worker"} 3',
    );
    const answer = await createWorkerMetricsEndpoint(registry, { url }, silent)();
    expect(answer.status).toBe(200);
    expect(answer.contentType).toContain('text/plain');
    const samples = parseSamples(answer.body);
    expect(sampleValue(samples, 'temporal_workflow_completed_total')).toBe(3);
    expect(sampleValue(samples, 'orders_completed_total', { status: 'CONFIRMED' })).toBe(1);
    expect(sampleValue(samples, 'worker_sdk_metrics_up')).toBe(1);
    expect(answer.body.endsWith('\n')).toBe(true);
  });

  it('still answers when the SDK exporter does not, and says so', async () => {
    const registry = createWorkerRegistry();
    createOrderMetrics(registry);
    const closed = await fakeSdkExporter('');
    servers.pop()!.close();
    for (const sdkExporter of [{ url: closed }, {}]) {
      const samples = parseSamples((await createWorkerMetricsEndpoint(createWorkerRegistry(), sdkExporter, silent)()).body);
      expect(sampleValue(samples, 'worker_sdk_metrics_up')).toBe(0);
    }
  });

  it('has no SDK gauge when the exporter is switched off', async () => {
    const answer = await createWorkerMetricsEndpoint(createWorkerRegistry(), undefined, silent)();
    expect(answer.body).not.toContain('worker_sdk_metrics_up');
  });
});

describe('worker /health/deep', () => {
  it('answers 503 and names the failing dependency, with latencies', async () => {
    const route = deepHealthRoute({ redis: async () => 'PONG', temporal: async () => Promise.reject(new Error('connection refused')) });
    const answer = await route();
    expect(answer.status).toBe(503);
    const body = JSON.parse(answer.body) as {
      status: string;
      checks: Record<string, { status: string; latency_ms: number; error?: string }>;
    };
    expect(body.status).toBe('degraded');
    expect(body.checks.temporal).toMatchObject({ status: 'down', error: 'connection refused' });
    expect(body.checks.redis!.status).toBe('up');
    expect(typeof body.checks.redis!.latency_ms).toBe('number');
  });

  it('answers 200 when every dependency is up, and gives up on a hanging one', async () => {
    expect((await deepHealthRoute({ redis: async () => 'PONG' })()).status).toBe(200);
    const hanging = await deepHealthRoute({ inventory: () => new Promise(() => undefined) }, 50)();
    expect(JSON.parse(hanging.body).checks.inventory.error).toBe('no answer within 50 ms');
  });
});
