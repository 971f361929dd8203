import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOAD_MAX_RATE, type LoadStatus, type OperatorStats } from '../../shared/contract/operator';
import { PROBLEM_TYPES } from '../../shared/contract/problems';
import { bearer, createTestItem, postOrder, startTestServices, TEST_ADMIN_TOKEN, type TestServices } from '../support/services';

let s: TestServices;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  s = await startTestServices();
});
afterAll(async () => {
  await s?.stop();
});

async function call(method: string, path: string, options: { key?: string; body?: unknown } = {}) {
  const response = await fetch(`${s.gatewayUrl}${path}`, {
    method,
    headers: { ...bearer(options.key ?? TEST_ADMIN_TOKEN), ...(options.body ? { 'content-type': 'application/json' } : {}) },
    body: options.body ? JSON.stringify(options.body) : undefined,
  });
  return { status: response.status, type: response.headers.get('content-type'), body: (await response.json()) as Record<string, unknown> };
}

const loadKeys = () => s.ordersDb.idempotencyKey.count({ where: { clientId: 'load-generator' } });

describe('operator view API on a real gateway: stats and the load generator', () => {
  it('refuses clients (403 problem), for stats and load alike', async () => {
    for (const [method, path] of [
      ['GET', '/api/admin/stats'],
      ['GET', '/api/admin/load'],
      ['DELETE', '/api/admin/load'],
    ] as const) {
      const answer = await call(method, path, { key: s.clientKey });
      expect(answer.status, `${method} ${path}`).toBe(403);
      expect(answer.type).toContain('application/problem+json');
      expect(answer.body.type).toBe(PROBLEM_TYPES.forbidden);
    }
  });

  it('charts what happened: settled orders by status, accept and end-to-end latency, backlog, in 24 buckets of 5 s', async () => {
    const item = await createTestItem(s.inventoryStore, 100);
    for (let i = 0; i < 3; i += 1)
      expect((await postOrder(s, { item_id: item, quantity: 1 }, { key: randomUUID(), wait: 10 })).status).toBe(201);
    expect((await postOrder(s, { item_id: item, quantity: 500 }, { key: randomUUID(), wait: 10 })).body.status).toBe('FAILED');
    const { status, body } = await call('GET', '/api/admin/stats');
    expect(status).toBe(200);
    const stats = body as unknown as OperatorStats;
    expect(stats.buckets).toHaveLength(24);
    expect(stats.buckets.at(-1)!.t - stats.buckets[0]!.t).toBe(23 * 5000);
    const sum = (field: 'confirmed' | 'failed') => stats.buckets.reduce((total, bucket) => total + bucket[field], 0);
    expect(sum('confirmed')).toBeGreaterThanOrEqual(3);
    expect(sum('failed')).toBeGreaterThanOrEqual(1);
    const measured = stats.buckets.filter((bucket) => bucket.accept_p95_ms !== null && bucket.end_to_end_p95_ms !== null);
    expect(measured.length).toBeGreaterThan(0);
    expect(measured.every((bucket) => bucket.end_to_end_p50_ms! <= bucket.end_to_end_p95_ms!)).toBe(true);
    expect(stats.load.running).toBe(false);
  });

  it('places a bounded stream of real orders, one stream at a time, and stops by itself', async () => {
    const before = await loadKeys();
    const started = await call('POST', '/api/admin/load', { body: { rate: 5, duration_s: 2, multi_share: 0.5 } });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ running: true, rate: 5, duration_s: 2 });
    const second = await call('POST', '/api/admin/load', { body: { rate: 5, duration_s: 2 } });
    expect(second.status).toBe(409);
    expect(second.body.type).toBe(PROBLEM_TYPES.loadAlreadyRunning);
    let status: LoadStatus = started.body as unknown as LoadStatus;
    for (let waited = 0; status.running && waited < 15_000; waited += 250) {
      await sleep(250);
      status = (await call('GET', '/api/admin/load')).body as unknown as LoadStatus;
    }
    expect(status).toMatchObject({ running: false, placed: 10, failed: 0 });
    expect((await loadKeys()) - before).toBe(10);
  });

  it('stops on request, and refuses a rate over the cap (400) without starting', async () => {
    const tooFast = await call('POST', '/api/admin/load', { body: { rate: LOAD_MAX_RATE + 1, duration_s: 10 } });
    expect(tooFast.status).toBe(400);
    expect((await call('GET', '/api/admin/load')).body.running).toBe(false);
    await call('POST', '/api/admin/load', { body: { rate: 5, duration_s: 600 } });
    await sleep(1200);
    const stopped = await call('DELETE', '/api/admin/load');
    expect(stopped.status).toBe(200);
    expect(stopped.body.running).toBe(false);
    expect(stopped.body.placed as number).toBeLessThan(15);
  });
});
