import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_RESTOCK, MAX_STOCK } from '../../shared/contract/inventory-api';
import { PROBLEM_TYPES } from '../../shared/contract/problems';
import { TEST_ADMIN_TOKEN, TEST_SERVICE_TOKEN, createTestItem, startTestServices, type TestServices } from '../support/services';

let s: TestServices;

beforeAll(async () => {
  s = await startTestServices({ chaos: true, withWorker: false });
});
afterAll(async () => {
  await fetch(`${s.inventoryUrl}/api/admin/chaos`, { method: 'DELETE', headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } });
  await s?.stop();
});

const service = { authorization: `Bearer ${TEST_SERVICE_TOKEN}` };

/** Stock changes go out as the worker unless a test says otherwise. */
const post = async (path: string, body: unknown, headers: Record<string, string> = path.includes('restock') ? admin : service) => {
  const response = await fetch(`${s.inventoryUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, type: response.headers.get('content-type'), body: (await response.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
};
const admin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };

describe('inventory service (real Postgres and Redis)', () => {
  it('lets only the worker reserve and release, and only an admin restock', async () => {
    const itemId = await createTestItem(s.inventoryStore, 10);
    const reservation = { item_id: itemId, quantity: 1, reservation_id: `r-${randomUUID()}` };
    const release = { item_id: itemId, reservation_id: reservation.reservation_id };
    const wrong = { authorization: 'Bearer not-a-token-anyone-was-given' };
    for (const [path, body] of [
      ['/api/inventory/deduct', reservation],
      ['/api/inventory/release', release],
    ] as const) {
      expect((await post(path, body, {})).status, `${path} without a token`).toBe(401);
      expect((await post(path, body, wrong)).status, `${path} with an unknown token`).toBe(403);
      const asAdmin = await post(path, body, admin);
      expect(asAdmin.status, `${path} as admin`).toBe(403);
      expect(asAdmin.type).toBe('application/problem+json; charset=utf-8');
    }
    expect((await post(`/api/inventory/${itemId}/restock`, { quantity: 5 }, {})).status).toBe(401);
    expect((await post(`/api/inventory/${itemId}/restock`, { quantity: 5 }, service)).status).toBe(403);
    expect(await s.inventoryStore.get(itemId)).toMatchObject({ stock: 10, reserved: 0, restocked: 0 });
  });

  it('reserves once per reservation id: a repeat changes nothing and says so', async () => {
    const itemId = await createTestItem(s.inventoryStore, 10);
    const reservation = { item_id: itemId, quantity: 3, reservation_id: `r-${randomUUID()}` };
    const first = await post('/api/inventory/deduct', reservation);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ replayed: false, stock: 7 });
    const repeat = await post('/api/inventory/deduct', reservation);
    expect(repeat.status).toBe(200);
    expect(repeat.body.replayed).toBe(true);
    const item = await (await fetch(`${s.inventoryUrl}/api/inventory/${itemId}`)).json();
    expect(item).toMatchObject({ item_id: itemId, stock: 7, reserved: 3 });
  });

  it('applies 20 concurrent copies of one reservation exactly once', async () => {
    const itemId = await createTestItem(s.inventoryStore, 10);
    const reservation = { item_id: itemId, quantity: 2, reservation_id: `r-${randomUUID()}` };
    const results = await Promise.all(Array.from({ length: 20 }, () => post('/api/inventory/deduct', reservation)));
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 200)).toHaveLength(19);
    expect((await s.inventoryStore.get(itemId))!.stock).toBe(8);
  });

  it('never goes below zero: refuses with out-of-stock and the units left', async () => {
    const itemId = await createTestItem(s.inventoryStore, 2);
    const refused = await post('/api/inventory/deduct', { item_id: itemId, quantity: 3, reservation_id: `r-${randomUUID()}` });
    expect(refused.status).toBe(409);
    expect(refused.type).toContain('application/problem+json');
    expect(refused.body).toMatchObject({ type: 'https://valerix.dev/problems/out-of-stock', available: 2 });
    expect((await s.inventoryStore.get(itemId))!.stock).toBe(2);
  });

  it('answers unknown items and invalid quantities with problems', async () => {
    const unknown = await post('/api/inventory/deduct', { item_id: 'missing-item', quantity: 1, reservation_id: `r-${randomUUID()}` });
    expect(unknown.status).toBe(404);
    expect(unknown.body.type).toBe('https://valerix.dev/problems/unknown-item');
    for (const quantity of [0, -1, 1.5, '2']) {
      const invalid = await post('/api/inventory/deduct', { item_id: 'ps5', quantity, reservation_id: `r-${randomUUID()}` });
      expect(invalid.status).toBe(400);
      expect(invalid.body.type).toBe('https://valerix.dev/problems/validation-error');
    }
    const noReservation = await post('/api/inventory/deduct', { item_id: 'ps5', quantity: 1 });
    expect(noReservation.status).toBe(400);
  });

  it('releases once, and a release that comes first blocks the late reservation', async () => {
    const itemId = await createTestItem(s.inventoryStore, 10);
    const reservationId = `r-${randomUUID()}`;
    await post('/api/inventory/deduct', { item_id: itemId, quantity: 4, reservation_id: reservationId });
    const released = await post('/api/inventory/release', { item_id: itemId, reservation_id: reservationId });
    expect(released.body).toMatchObject({ outcome: 'released', quantity: 4 });
    const again = await post('/api/inventory/release', { item_id: itemId, reservation_id: reservationId });
    expect(again.body).toMatchObject({ outcome: 'already-released', quantity: 0 });
    expect((await s.inventoryStore.get(itemId))!.stock).toBe(10);

    const early = `r-${randomUUID()}`;
    const tombstone = await post('/api/inventory/release', { item_id: itemId, reservation_id: early });
    expect(tombstone.body.outcome).toBe('released-before-reserved');
    const late = await post('/api/inventory/deduct', { item_id: itemId, quantity: 1, reservation_id: early });
    expect(late.status).toBe(409);
    expect(late.body.type).toBe('https://valerix.dev/problems/reservation-released');
    expect((await s.inventoryStore.get(itemId))!.stock).toBe(10);
  });

  it('refuses a restock that would take an item past MAX_STOCK (409), so no stock column can overflow', async () => {
    const itemId = await createTestItem(s.inventoryStore, MAX_STOCK - 1);
    const refused = await post(`/api/inventory/${itemId}/restock`, { quantity: 2 });
    expect([refused.status, refused.body.type]).toEqual([409, PROBLEM_TYPES.stockLimitExceeded]);
    const tooMuchAtOnce = await post(`/api/inventory/${itemId}/restock`, { quantity: MAX_RESTOCK + 1 });
    expect(tooMuchAtOnce.status).toBe(400);
    expect((await post(`/api/inventory/${itemId}/restock`, { quantity: 1 })).status).toBe(200);
    expect(await s.inventoryStore.get(itemId)).toMatchObject({ stock: MAX_STOCK, restocked: 1 });
  });

  it('restocks and keeps the ledger balanced: stock + reserved = initial + restocked', async () => {
    const itemId = await createTestItem(s.inventoryStore, 5);
    await post('/api/inventory/deduct', { item_id: itemId, quantity: 2, reservation_id: `r-${randomUUID()}` });
    const restocked = await post(`/api/inventory/${itemId}/restock`, { quantity: 7 });
    expect(restocked.body).toMatchObject({ stock: 10, reserved: 2, restocked: 7, initial_stock: 5 });
    const audit = (await (await fetch(`${s.inventoryUrl}/api/inventory/audit`)).json()) as {
      consistent: boolean;
      items: { item_id: string }[];
    };
    expect(audit.consistent).toBe(true);
    expect(audit.items.some((row) => row.item_id === itemId)).toBe(true);
    const list = (await (await fetch(`${s.inventoryUrl}/api/inventory`)).json()) as { items: unknown[] };
    expect(list.items.length).toBeGreaterThan(0);
  });

  it('guards chaos admin routes: 401 without a token, 403 with a wrong one', async () => {
    expect((await fetch(`${s.inventoryUrl}/api/admin/chaos`)).status).toBe(401);
    const wrong = await fetch(`${s.inventoryUrl}/api/admin/chaos`, { headers: { authorization: 'Bearer not-the-token' } });
    expect(wrong.status).toBe(403);
    expect(wrong.headers.get('content-type')).toContain('application/problem+json');
  });

  it("takes the seed's chaos body, applies it to calls, and turns off with DELETE", async () => {
    const itemId = await createTestItem(s.inventoryStore, 100);
    const on = await post('/api/admin/chaos', { crash_rate: 1 }, admin);
    expect(on.status).toBe(200);
    expect(on.body).toMatchObject({ enabled: true, crash_rate: 1 });
    const failed = await post('/api/inventory/deduct', { item_id: itemId, quantity: 1, reservation_id: `r-${randomUUID()}` });
    expect(failed.status).toBe(503);
    expect((await s.inventoryStore.get(itemId))!.stock).toBe(100);
    expect((await fetch(`${s.inventoryUrl}/health`)).status).toBe(200);

    const seed = await post('/api/admin/chaos', { latency: true, crash_rate: 0.3 }, admin);
    expect(seed.body).toMatchObject({ enabled: true, latency_ms: 5000, latency_rate: 1, crash_rate: 0.3 });
    const read = await fetch(`${s.inventoryUrl}/api/admin/chaos`, { headers: admin });
    expect(await read.json()).toMatchObject({ latency_ms: 5000, crash_rate: 0.3 });

    const off = await fetch(`${s.inventoryUrl}/api/admin/chaos`, { method: 'DELETE', headers: admin });
    expect(await off.json()).toMatchObject({ enabled: false });
    const ok = await post('/api/inventory/deduct', { item_id: itemId, quantity: 1, reservation_id: `r-${randomUUID()}` });
    expect(ok.status).toBe(201);
  });

  it('drops the answer after committing when lost_response_rate is 1', async () => {
    const itemId = await createTestItem(s.inventoryStore, 10);
    await post('/api/admin/chaos', { lost_response_rate: 1, crash_rate: 0, latency_rate: 0 }, admin);
    try {
      const reservationId = `r-${randomUUID()}`;
      await expect(
        fetch(`${s.inventoryUrl}/api/inventory/deduct`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...service },
          body: JSON.stringify({ item_id: itemId, quantity: 1, reservation_id: reservationId }),
        }),
      ).rejects.toThrow();
      expect((await s.inventoryStore.get(itemId))!.stock).toBe(9);
    } finally {
      await fetch(`${s.inventoryUrl}/api/admin/chaos`, { method: 'DELETE', headers: admin });
    }
  });

  it('reports Postgres and Redis with latencies on /health/deep', async () => {
    const response = await fetch(`${s.inventoryUrl}/health/deep`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { checks: Record<string, { status: string; latency_ms: number }> };
    expect(Object.keys(body.checks).sort()).toEqual(['postgres', 'redis']);
    expect(body.checks.postgres!.status).toBe('up');
  });
});
