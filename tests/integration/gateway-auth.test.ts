import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClientStore } from '../../api/gateway/clients/store';
import { PROBLEM_TYPES } from '../../shared/contract/problems';
import {
  TEST_ADMIN_TOKEN,
  bearer,
  createTestItem,
  getOrder,
  postOrder,
  startTestServices,
  waitForStatus,
  type GatewayTarget,
  type TestServices,
} from '../support/services';

let s: TestServices;
/** A second client, beside the test services' own. */
let other: GatewayTarget & { clientId: string };
let admin: GatewayTarget;

beforeAll(async () => {
  s = await startTestServices();
  const created = await createClientStore(s.ordersDb).create(`other-${randomUUID().slice(0, 8)}`, 'client');
  other = { gatewayUrl: s.gatewayUrl, clientKey: created.key, clientId: created.client.id };
  admin = { gatewayUrl: s.gatewayUrl, clientKey: TEST_ADMIN_TOKEN };
});
afterAll(async () => {
  await s?.stop();
});

const listIds = async (target: GatewayTarget) => {
  const response = await fetch(`${target.gatewayUrl}/api/orders?limit=200`, { headers: bearer(target.clientKey) });
  expect(response.status).toBe(200);
  return ((await response.json()) as { orders: { id: string }[] }).orders.map((order) => order.id);
};

/** Collects the order ids of every event a caller's stream delivers until `stop` is called. */
function watchEvents(target: GatewayTarget) {
  const controller = new AbortController();
  const seen: { orderId: string; status: string }[] = [];
  const done = (async () => {
    const response = await fetch(`${target.gatewayUrl}/api/orders/events`, {
      headers: bearer(target.clientKey),
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    const decoder = new TextDecoder();
    let buffer = '';
    const reader = response.body!.getReader();
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      buffer += decoder.decode(chunk.value, { stream: true });
      for (const data of buffer.match(/^data: .+$/gm) ?? []) seen.push(JSON.parse(data.slice(6)) as { orderId: string; status: string });
      buffer = buffer.slice(buffer.lastIndexOf('\n\n') + 2);
    }
  })().catch((err: Error) => {
    if (err.name !== 'AbortError') throw err;
  });
  return { seen, stop: () => (controller.abort(), done) };
}

describe('gateway authentication', () => {
  it.each([
    ['GET', '/api/orders'],
    ['GET', `/api/orders/ord_${'0'.repeat(32)}`],
    ['POST', '/api/orders'],
    ['POST', `/api/orders/ord_${'0'.repeat(32)}/cancel`],
    ['GET', '/api/orders/events'],
  ])('refuses %s %s without a credential or with an unknown one (401 problem+json)', async (method, path) => {
    for (const headers of [{}, bearer('vxk_made-up'), { authorization: 'Basic dXNlcjpwYXNz' }]) {
      const response = await fetch(`${s.gatewayUrl}${path}`, { method, headers: { ...headers, 'idempotency-key': randomUUID() } });
      expect(response.status, JSON.stringify(headers)).toBe(401);
      expect(response.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
      expect(((await response.json()) as { type: string }).type).toBe(PROBLEM_TYPES.unauthorized);
    }
  });

  it('refuses a revoked key, and keeps health, metrics and docs open', async () => {
    const clients = createClientStore(s.ordersDb);
    const { client, key } = await clients.create(`revoked-${randomUUID().slice(0, 8)}`, 'client');
    expect(await clients.revoke(client.name)).toBe(true);
    expect((await fetch(`${s.gatewayUrl}/api/orders`, { headers: bearer(key) })).status).toBe(401);
    for (const path of ['/health', '/metrics', '/docs/json']) expect((await fetch(`${s.gatewayUrl}${path}`)).status, path).toBe(200);
  });

  it('stores keys only as hashes', async () => {
    const rows = await s.ordersDb.apiClient.findMany({ where: { id: s.clientId } });
    expect(rows).toHaveLength(1);
    expect(rows[0]!.keyHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(rows)).not.toContain(s.clientKey);
  });
});

describe('orders belong to their client', () => {
  it('hides one client’s order from another (404 on read and cancel, absent from the list and the stream); an admin sees it', async () => {
    const itemId = await createTestItem(s.inventoryStore, 5);
    const othersStream = watchEvents(other);
    const adminStream = watchEvents(admin);
    try {
      const placed = await postOrder(s, { item_id: itemId, quantity: 1 }, { key: randomUUID(), wait: 10 });
      expect(placed.body.status).toBe('CONFIRMED');
      const id = placed.body.id as string;

      const read = await getOrder(other, id);
      expect([read.status, read.body.type]).toEqual([404, PROBLEM_TYPES.orderNotFound]);
      const cancel = await fetch(`${s.gatewayUrl}/api/orders/${id}/cancel`, { method: 'POST', headers: bearer(other.clientKey) });
      expect(cancel.status).toBe(404);
      expect(await listIds(other)).not.toContain(id);

      expect(await listIds(s)).toContain(id);
      expect(await listIds(admin)).toContain(id);
      expect((await getOrder(admin, id)).body.status).toBe('CONFIRMED');

      await expect
        .poll(() => adminStream.seen.filter((event) => event.orderId === id).map((event) => event.status), { timeout: 10_000 })
        .toContain('CONFIRMED');
      expect(othersStream.seen.map((event) => event.orderId)).not.toContain(id);
      // The other client's refused cancel changed nothing.
      expect((await getOrder(s, id)).body.status).toBe('CONFIRMED');
      expect((await s.inventoryStore.get(itemId))!.stock).toBe(4);
    } finally {
      await othersStream.stop();
      await adminStream.stop();
    }
  });

  it('scopes Idempotency-Keys per client: one key from two clients places two orders', async () => {
    const itemId = await createTestItem(s.inventoryStore, 5);
    const key = randomUUID();
    const mine = await postOrder(s, { item_id: itemId, quantity: 1 }, { key, wait: 10 });
    const theirs = await postOrder(other, { item_id: itemId, quantity: 2 }, { key, wait: 10 });
    expect(mine.status).toBe(201);
    expect(theirs.status).toBe(201);
    expect(theirs.headers.get('idempotency-replayed')).toBeNull();
    expect(theirs.body.id).not.toBe(mine.body.id);
    await waitForStatus(other, theirs.body.id, ['CONFIRMED']);
    expect((await s.inventoryStore.get(itemId))!.stock).toBe(2);
    const owners = await s.ordersDb.order.findMany({
      where: { id: { in: [mine.body.id, theirs.body.id] } },
      select: { id: true, clientId: true },
    });
    expect(Object.fromEntries(owners.map((row) => [row.id, row.clientId]))).toEqual({
      [mine.body.id]: s.clientId,
      [theirs.body.id]: other.clientId,
    });
  });
});
