import { describe, expect, it } from 'vitest';
import { deadUrl, fakeServicesPerTest } from '../test-support/fake-service';
import { createGatewayClient } from './gateway.server';
import { healthLevel } from './health';
import { createInventoryClient } from './inventory.server';
import { createOverview } from './overview.server';

const NOW = new Date('2026-11-25T12:00:00.000Z');
const minutesAgo = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000).toISOString();
const order = (id: string, status: string, createdAt: string) => ({
  id,
  status,
  created_at: createdAt,
  lines: [],
  timeline: [],
  version: 1,
});

const fake = fakeServicesPerTest();

const deepHealthy = {
  status: 'ok',
  checks: {
    temporal: { status: 'up', latency_ms: 3 },
    orders_db: { status: 'up', latency_ms: 850 },
    redis: { status: 'up', latency_ms: 1 },
    inventory: { status: 'up', latency_ms: 2 },
  },
};

function gatewayHandler(request: { path: string }) {
  if (request.path === '/health/deep') return { body: deepHealthy };
  const status = new URL(request.path, 'http://x').searchParams.get('status');
  const all = [order('o1', 'CONFIRMED', minutesAgo(0.5)), order('o2', 'FAILED', minutesAgo(3)), order('o3', 'CONFIRMED', minutesAgo(30))];
  return {
    body: { orders: all.filter((o) => !status || o.status === status), ...(status === 'CONFIRMED' ? { next_cursor: 'more' } : {}) },
  };
}

describe('overview', () => {
  it('lists every service with its latency, coloured by the thresholds', async () => {
    const gatewayUrl = await fake(gatewayHandler);
    const inventoryUrl = await fake((request) =>
      request.path === '/api/admin/chaos'
        ? {
            body: {
              enabled: true,
              latency_ms: 1500,
              latency_rate: 1,
              crash_rate: 0,
              lost_response_rate: 0,
              kill_rate: 0,
              updated_at: NOW.toISOString(),
            },
          }
        : { body: { items: [] } },
    );
    const workerUrl = await fake(() => ({ status: 503, body: { status: 'draining' } }));
    const load = createOverview({
      gateway: createGatewayClient([gatewayUrl], 'secret-token'),
      inventory: createInventoryClient(inventoryUrl, 'secret-token'),
      workerUrl,
      temporalUiUrl: 'http://temporal.test:8233',
      gatewayPublicUrl: 'https://api.valerix.test',
    });
    const overview = await load(NOW);

    expect(overview.checks.map((check) => [check.id, check.status, healthLevel(check)])).toEqual([
      ['gateway', 'up', 'green'],
      ['gateway.temporal', 'up', 'green'],
      ['gateway.orders_db', 'up', 'amber'],
      ['gateway.redis', 'up', 'green'],
      ['gateway.inventory', 'up', 'green'],
      ['inventory-api', 'up', 'green'],
      ['worker', 'down', 'red'],
    ]);
    expect(overview.checks.find((check) => check.id === 'worker')?.error).toBe('answered HTTP 503');
    expect(overview.stats).toEqual({
      total: { count: 3, capped: false },
      rate: { lastMinute: 1, perMinute: 0.4, lowerBound: false },
      byStatus: [
        { status: 'PENDING', count: 0, capped: false },
        { status: 'CONFIRMED', count: 2, capped: true },
        { status: 'COMPENSATING', count: 0, capped: false },
        { status: 'FAILED', count: 1, capped: false },
        { status: 'CANCELLING', count: 0, capped: false },
        { status: 'CANCELLED', count: 0, capped: false },
      ],
    });
    expect(overview.chaos).toMatchObject({ ok: true, state: { enabled: true, latency_ms: 1500 } });
    expect(overview.links).toEqual({ temporalUi: 'http://temporal.test:8233', apiDocs: 'https://api.valerix.test/docs' });
  });

  it('shows a dead gateway, inventory and worker as down instead of failing', async () => {
    const dead = await deadUrl();
    const load = createOverview({
      gateway: createGatewayClient([dead], 'secret-token'),
      inventory: createInventoryClient(dead, 'secret-token'),
      workerUrl: dead,
      temporalUiUrl: 'http://temporal.test:8233',
      gatewayPublicUrl: dead,
    });
    const overview = await load(NOW);
    expect(overview.checks.map((check) => [check.id, check.status, check.error])).toEqual([
      ['gateway', 'down', 'connection refused (is it running?)'],
      ['inventory-api', 'down', 'connection refused (is it running?)'],
      ['worker', 'down', 'connection refused (is it running?)'],
    ]);
    expect(overview.stats).toBeNull();
    expect(overview.chaos).toMatchObject({ ok: false, problem: { title: 'Inventory service unreachable' } });
  });
});
