import { describe, expect, it } from 'vitest';
import { CHAOS_OFF } from '../../../shared/contract/chaos';
import { deadUrl, fakeServicesPerTest } from '../test-support/fake-service';
import { createGatewayClient } from './gateway.server';
import { createInventoryClient } from './inventory.server';
import { createOperatorSnapshot, describeError } from './operator.server';

const ADMIN = 'admin-token';
const STATS = {
  window_ms: 120_000,
  bucket_ms: 5_000,
  buckets: [],
  load: { running: false, rate: 0, duration_s: 0, started_at: null, ends_at: null, placed: 0, failed: 0 },
};
const ITEM = {
  item_id: 'ps5',
  name: 'PlayStation 5',
  stock: 8,
  reserved: 2,
  initial_stock: 10,
  restocked: 0,
  updated_at: '2026-11-25T00:00:00.000Z',
};

const fake = fakeServicesPerTest();

const inventoryUrl = () => fake((request) => (request.path === '/api/inventory' ? { body: { items: [ITEM] } } : { body: CHAOS_OFF }));

describe('operator snapshot', () => {
  it('brings the stats, the items and the chaos settings together', async () => {
    const snapshot = createOperatorSnapshot({
      gateway: createGatewayClient([await fake(() => ({ body: STATS }))], ADMIN),
      inventory: createInventoryClient(await inventoryUrl(), ADMIN),
    });
    const before = Date.now();
    const result = await snapshot();
    expect(result).toMatchObject({
      stats: STATS,
      statsError: null,
      items: [ITEM],
      itemsError: null,
      chaos: { enabled: false },
      chaosError: null,
    });
    expect(result.at).toBeGreaterThanOrEqual(before);
  });

  it('says in plain words when the gateway is down, and still brings the rest', async () => {
    const snapshot = createOperatorSnapshot({
      gateway: createGatewayClient([await deadUrl()], ADMIN),
      inventory: createInventoryClient(await inventoryUrl(), ADMIN),
    });
    const result = await snapshot();
    expect(result.stats).toBeNull();
    expect(result.statsError).toBe('The gateway is not answering: connection refused (is it running?).');
    expect(result.items).toEqual([ITEM]);
  });

  it('does not wait for a slow item list (chaos latency): the stock is left out, with the reason', async () => {
    const slow = await fake((request) => (request.path === '/api/inventory' ? new Promise(() => undefined) : { body: CHAOS_OFF }));
    const snapshot = createOperatorSnapshot({
      gateway: createGatewayClient([await fake(() => ({ body: STATS }))], ADMIN),
      inventory: createInventoryClient(slow, ADMIN),
    });
    const result = await snapshot();
    expect(result.stats).toEqual(STATS);
    expect(result.items).toBeNull();
    expect(result.itemsError).toBe('The inventory service is not answering: no answer within 2 s.');
  }, 10_000);
});

describe('describeError', () => {
  it('puts an outage, a problem and any other error in words', () => {
    expect(describeError({ data: { outage: 'inventory', detail: 'connection refused' } })).toBe(
      'The inventory service is not answering: connection refused.',
    );
    expect(describeError({ data: { type: 'x', title: 'Conflict', status: 409, detail: 'a load runs' } })).toBe('Conflict: a load runs');
    expect(describeError(new Error('boom'))).toBe('boom');
  });
});
