import { afterEach, describe, expect, it } from 'vitest';
import { deadUrl, startFakeService, thrown, type FakeService } from '../test-support/fake-service';
import { createGatewayClient } from './gateway.server';
import { createInventoryClient } from './inventory.server';
import { createOrders } from './orders.server';

const ID = 'ord_0123456789abcdef0123456789abcdef';
const ORDER = { id: ID, status: 'PENDING', lines: [], cancel_requested: false, version: 1, timeline: [], source: 'request' };

let gateway: FakeService | undefined;
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
});

async function ordersAgainst(handler: Parameters<typeof startFakeService>[0]) {
  gateway = await startFakeService(handler);
  return createOrders({
    gateway: createGatewayClient([gateway.url], 'secret-token'),
    inventory: createInventoryClient(await deadUrl(), 'secret-token'),
    temporalUiUrl: 'http://temporal.test:8233/',
    temporalNamespace: 'default',
  });
}

function form(fields: [string, string][]): FormData {
  const data = new FormData();
  for (const [name, value] of fields) data.append(name, value);
  return data;
}

describe('orders page, server side', () => {
  it('places the filled lines with the form’s key and reports a replay', async () => {
    const orders = await ordersAgainst(() => ({
      status: 202,
      headers: { 'idempotency-replayed': 'true' },
      body: { ...ORDER, replayed: true },
    }));
    const result = await orders.submitForm(
      form([
        ['idempotency_key', 'key-1'],
        ['item_id', 'ps5'],
        ['quantity', '2'],
        ['item_id', ''],
        ['quantity', '1'],
        ['intent', 'place'],
      ]),
    );
    expect(result).toEqual({ kind: 'placed', key: 'key-1', orderId: ID, replayed: true });
    expect(gateway!.requests[0]?.headers['idempotency-key']).toBe('key-1');
    expect(JSON.parse(gateway!.requests[0]!.body)).toEqual({ lines: [{ item_id: 'ps5', quantity: 2 }] });
  });

  it('adds and removes lines on the server for a browser without JavaScript, keeping the key', async () => {
    const orders = await ordersAgainst(() => ({}));
    const fields: [string, string][] = [
      ['idempotency_key', 'key-1'],
      ['item_id', 'ps5'],
      ['quantity', '2'],
    ];
    expect(await orders.submitForm(form([...fields, ['intent', 'add-line']]))).toEqual({
      kind: 'draft',
      draft: {
        key: 'key-1',
        lines: [
          { item_id: 'ps5', quantity: '2' },
          { item_id: '', quantity: '1' },
        ],
      },
    });
    const startOver = await orders.submitForm(form([...fields, ['intent', 'start-over']]));
    expect(startOver.kind === 'draft' && startOver.draft.key).not.toBe('key-1');
    expect(gateway!.requests).toHaveLength(0);
  });

  it('rejects an invalid form without calling the gateway, keeping what was typed', async () => {
    const orders = await ordersAgainst(() => ({}));
    const result = await orders.submitForm(
      form([
        ['idempotency_key', 'key-1'],
        ['item_id', 'ps5'],
        ['quantity', '0'],
      ]),
    );
    expect(result).toEqual({
      kind: 'rejected',
      key: 'key-1',
      error: 'Line 1: the quantity must be a whole number from 1 to 1000.',
      draft: { key: 'key-1', lines: [{ item_id: 'ps5', quantity: '0' }] },
    });
    expect(gateway!.requests).toHaveLength(0);
  });

  it('shows the gateway’s problem when it refuses the order', async () => {
    const orders = await ordersAgainst(() => ({
      status: 422,
      body: { type: 'x', title: 'Idempotency-Key reused', status: 422, detail: 'The first order is unchanged.' },
    }));
    const result = await orders.submitForm(
      form([
        ['idempotency_key', 'key-1'],
        ['item_id', 'ps5'],
        ['quantity', '1'],
      ]),
    );
    expect(result).toMatchObject({ kind: 'rejected', error: 'Idempotency-Key reused: The first order is unchanged.' });
  });

  it('loads one order with its Temporal Web UI link (workflow id = order id)', async () => {
    const orders = await ordersAgainst(() => ({ body: ORDER }));
    expect(await orders.loadOne(ID)).toEqual({ order: ORDER, workflowUrl: `http://temporal.test:8233/namespaces/default/workflows/${ID}` });
  });

  it('answers 404 for an unknown order and for a malformed id, without asking the gateway about the latter', async () => {
    const orders = await ordersAgainst(() => ({ status: 404, body: { type: 'x', title: 'Order not found', status: 404 } }));
    expect(await thrown(orders.loadOne(ID))).toMatchObject({ status: 404, data: { title: 'Order not found' } });
    expect(await thrown(orders.loadOne('../../admin'))).toMatchObject({ status: 404 });
    expect(gateway!.requests).toHaveLength(1);
  });

  it('lists one page with the status filter, falling back to typed item ids when the inventory is down', async () => {
    const orders = await ordersAgainst(() => ({ body: { orders: [ORDER], next_cursor: 'next' } }));
    const page = await orders.loadList(new URL('http://web.test/orders?status=PENDING&cursor=abc'));
    expect(page).toMatchObject({ orders: [ORDER], nextCursor: 'next', status: 'PENDING', cursor: 'abc', items: null });
    expect(page.newKey).toMatch(/^[0-9a-f-]{36}$/);
    expect(gateway!.requests[0]?.path).toBe('/api/orders?status=PENDING&limit=20&cursor=abc');
  });

  it('ignores an unknown status filter', async () => {
    const orders = await ordersAgainst(() => ({ body: { orders: [] } }));
    const page = await orders.loadList(new URL('http://web.test/orders?status=BOGUS'));
    expect(page.status).toBeNull();
    expect(gateway!.requests[0]?.path).toBe('/api/orders?limit=20');
  });

  it('reports a refused cancel in words', async () => {
    const orders = await ordersAgainst(() => ({
      status: 409,
      body: { type: 'x', title: 'Order cannot be cancelled', status: 409, detail: 'It already FAILED.' },
    }));
    expect(await orders.cancel(ID)).toEqual({ kind: 'refused', error: 'Order cannot be cancelled: It already FAILED.' });
  });
});
