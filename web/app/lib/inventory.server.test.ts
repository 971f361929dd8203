import { afterEach, describe, expect, it } from 'vitest';
import { deadUrl, startFakeService, thrown, type FakeService } from '../test-support/fake-service';
import { CHAOS_OFF } from '../../../shared/contract/chaos';
import { createInventoryClient } from './inventory.server';

const ITEM = {
  item_id: 'ps5',
  name: 'PlayStation 5',
  stock: 10,
  reserved: 0,
  initial_stock: 10,
  restocked: 0,
  updated_at: '2026-11-25T00:00:00.000Z',
};

let fake: FakeService | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

describe('inventory client', () => {
  it('sends the admin token as a bearer token on every chaos call', async () => {
    fake = await startFakeService(() => ({ body: CHAOS_OFF }));
    const client = createInventoryClient(fake.url, 'secret-token');
    expect(await client.chaos.get()).toEqual({ ok: true, state: CHAOS_OFF });
    await client.chaos.update({ enabled: true, latency_ms: 1500, latency_rate: 1 });
    await client.chaos.disable();
    expect(fake.requests.map((r) => [r.method, r.path, r.headers.authorization])).toEqual([
      ['GET', '/api/admin/chaos', 'Bearer secret-token'],
      ['POST', '/api/admin/chaos', 'Bearer secret-token'],
      ['DELETE', '/api/admin/chaos', 'Bearer secret-token'],
    ]);
    expect(JSON.parse(fake.requests[1]!.body)).toEqual({ enabled: true, latency_ms: 1500, latency_rate: 1 });
  });

  it('explains a refused token and a missing chaos API', async () => {
    fake = await startFakeService((request) =>
      request.headers.authorization === 'Bearer wrong-token'
        ? { status: 403, body: { type: 'x', title: 'Forbidden', status: 403 } }
        : { status: 404, body: { type: 'x', title: 'Not found', status: 404 } },
    );
    const refused = await createInventoryClient(fake.url, 'wrong-token').chaos.get();
    expect(refused).toMatchObject({ ok: false, problem: { status: 403, detail: expect.stringContaining('ADMIN_TOKEN') } });
    const missing = await createInventoryClient(fake.url, 'other-token').chaos.get();
    expect(missing).toMatchObject({ ok: false, problem: { status: 404, detail: expect.stringContaining('no chaos API') } });
  });

  it('restocks through POST /api/inventory/:item_id/restock', async () => {
    fake = await startFakeService((request) =>
      request.path === '/api/inventory/ps5/restock'
        ? { body: { ...ITEM, stock: 15, restocked: 5 } }
        : { status: 404, body: { type: 'x', title: 'Unknown item', status: 404 } },
    );
    const client = createInventoryClient(fake.url, 'secret-token');
    expect(await client.restock('ps5', 5)).toEqual({ ok: true, item: { ...ITEM, stock: 15, restocked: 5 } });
    expect(JSON.parse(fake.requests[0]!.body)).toEqual({ quantity: 5 });
    expect(fake.requests[0]!.headers.authorization).toBe('Bearer secret-token');
    expect(await client.restock('nope', 5)).toMatchObject({ ok: false, problem: { title: 'Unknown item' } });
  });

  it('lists items, and throws an inventory outage when the service is down', async () => {
    fake = await startFakeService(() => ({ body: { items: [ITEM] } }));
    expect(await createInventoryClient(fake.url, 'secret-token').listItems()).toEqual([ITEM]);
    expect(await thrown(createInventoryClient(await deadUrl(), 'secret-token').listItems())).toMatchObject({
      status: 503,
      data: { outage: 'inventory' },
    });
  });

  it('gives the order form null instead of items when the service fails', async () => {
    fake = await startFakeService(() => ({ status: 503, body: { type: 'x', title: 'Chaos', status: 503 } }));
    expect(await createInventoryClient(fake.url, 'secret-token').itemsForForm()).toBeNull();
    expect(await createInventoryClient(await deadUrl(), 'secret-token').itemsForForm()).toBeNull();
  });

  it('times GET /api/inventory, the route chaos latency slows down', async () => {
    fake = await startFakeService(async () => {
      await new Promise((resolve) => setTimeout(resolve, 120));
      return { body: { items: [] } };
    });
    const probe = await createInventoryClient(fake.url, 'secret-token').probeApi();
    expect(probe.status).toBe(200);
    expect(probe.latencyMs).toBeGreaterThanOrEqual(110);
    expect(fake.requests[0]?.path).toBe('/api/inventory');
  });
});
