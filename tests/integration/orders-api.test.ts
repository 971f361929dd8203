import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderIdFor } from '../../api/gateway/orders/idempotency';
import { ORDER_EVENTS_STREAM } from '../../shared/contract/orders';
import { bearer, createTestItem, getOrder, postOrder, startTestServices, waitForStatus, type TestServices } from '../support/services';

let s: TestServices;

beforeAll(async () => {
  s = await startTestServices();
});
afterAll(async () => {
  await s?.stop();
});

const workflowsWithId = async (workflowId: string) => {
  let count = 0;
  for await (const _ of s.temporal.workflow.list({ query: `WorkflowId = '${workflowId}'` })) count += 1;
  return count;
};

describe('POST /api/orders idempotency', () => {
  it('100 concurrent POSTs with one key give one workflow, one order row and one deduction', async () => {
    const itemId = await createTestItem(s.inventoryStore, 50);
    const key = randomUUID();
    const responses = await Promise.all(Array.from({ length: 100 }, () => postOrder(s, { item_id: itemId, quantity: 2 }, { key })));
    expect(responses.every((response) => response.status === 202 || response.status === 201)).toBe(true);
    const ids = new Set(responses.map((response) => response.body.id));
    expect(ids.size).toBe(1);
    const [orderId] = [...ids] as [string];
    expect(responses.filter((response) => response.headers.get('idempotency-replayed') === 'true')).toHaveLength(99);

    await waitForStatus(s, orderId, ['CONFIRMED']);
    expect((await s.inventoryStore.get(itemId))!.stock).toBe(48);
    expect(await s.ordersDb.order.count({ where: { id: orderId } })).toBe(1);
    expect(await s.ordersDb.idempotencyKey.count({ where: { key } })).toBe(1);
    const { rows } = await s.inventoryPool.query(`SELECT count(*)::int AS n FROM stock_movements WHERE item_id = $1 AND kind = 'reserve'`, [
      itemId,
    ]);
    expect(rows[0].n).toBe(1);
    // Temporal's visibility store is eventually consistent; poll briefly for the count.
    await expect.poll(() => workflowsWithId(orderId), { timeout: 10_000 }).toBe(1);
  });

  it('answers a replay 202 PENDING while no worker has picked the order up, then completes it', async () => {
    const itemId = await createTestItem(s.inventoryStore, 5);
    const key = randomUUID();
    await s.stopWorker();
    try {
      const first = await postOrder(s, { item_id: itemId, quantity: 1 }, { key });
      const replay = await postOrder(s, { item_id: itemId, quantity: 1 }, { key });
      expect(first.status).toBe(202);
      expect(replay.status).toBe(202);
      expect(replay.headers.get('idempotency-replayed')).toBe('true');
      expect(replay.body).toMatchObject({ id: first.body.id, status: 'PENDING', replayed: true });
    } finally {
      await s.startWorker();
    }
    const done = await waitForStatus(s, orderIdFor(s.clientId, key), ['CONFIRMED']);
    expect(done.id).toBe(orderIdFor(s.clientId, key));
    expect((await s.inventoryStore.get(itemId))!.stock).toBe(4);
  });

  it('replays the same order for the same key and body long after it finished', async () => {
    const itemId = await createTestItem(s.inventoryStore, 10);
    const key = randomUUID();
    const first = await postOrder(s, { item_id: itemId, quantity: 1 }, { key, wait: 10 });
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotency-replayed')).toBeNull();
    // The seed's single-item body and the equivalent one-line body are the same request.
    const replay = await postOrder(s, { lines: [{ item_id: itemId, quantity: 1 }] }, { key });
    expect(replay.body.id).toBe(first.body.id);
    expect(replay.body.status).toBe('CONFIRMED');
    expect(replay.body.replayed).toBe(true);
    expect(replay.headers.get('idempotency-replayed')).toBe('true');
    expect((await s.inventoryStore.get(itemId))!.stock).toBe(9);
  });

  it('refuses the same key with a different body with 422 and leaves the order untouched', async () => {
    const itemId = await createTestItem(s.inventoryStore, 10);
    const key = randomUUID();
    const first = await postOrder(s, { item_id: itemId, quantity: 1 }, { key, wait: 10 });
    const reused = await postOrder(s, { item_id: itemId, quantity: 5 }, { key });
    expect(reused.status).toBe(422);
    expect(reused.headers.get('content-type')).toContain('application/problem+json');
    expect(reused.body).toMatchObject({ type: 'https://valerix.dev/problems/idempotency-key-reused', order_id: first.body.id });
    expect((await getOrder(s, first.body.id)).body.lines[0].quantity).toBe(1);
    expect((await s.inventoryStore.get(itemId))!.stock).toBe(9);
  });

  it.each([
    ['missing', undefined, 'idempotency-key-missing'],
    ['empty', '', 'idempotency-key-missing'],
    ['with a space', 'has space', 'idempotency-key-invalid'],
    ['too long', 'k'.repeat(256), 'idempotency-key-invalid'],
    ['non-ASCII', 'clé', 'idempotency-key-invalid'],
  ])('answers 400 when the key is %s', async (_label, key, type) => {
    const response = await postOrder(s, { item_id: 'ps5', quantity: 1 }, { key });
    expect(response.status).toBe(400);
    expect(response.body.type).toBe(`https://valerix.dev/problems/${type}`);
  });

  it.each([
    ['zero quantity', { item_id: 'ps5', quantity: 0 }],
    ['negative quantity', { item_id: 'ps5', quantity: -1 }],
    ['fractional quantity', { item_id: 'ps5', quantity: 1.5 }],
    ['quantity as a string', { item_id: 'ps5', quantity: '2' }],
    ['huge quantity', { item_id: 'ps5', quantity: 1_000_000 }],
    ['bad item id', { item_id: 'ps5; DROP TABLE', quantity: 1 }],
    ['unknown field', { item_id: 'ps5', quantity: 1, price: 0 }],
    ['no lines', { lines: [] }],
    ['empty body', {}],
  ])('answers 400 problem+json for %s, creating nothing', async (_label, body) => {
    const key = randomUUID();
    const response = await postOrder(s, body, { key });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(response.body.type).toBe('https://valerix.dev/problems/validation-error');
    expect(await s.ordersDb.idempotencyKey.count({ where: { key } })).toBe(0);
  });

  it('answers 400 problem+json for malformed JSON', async () => {
    const response = await fetch(`${s.gatewayUrl}/api/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID(), ...bearer(s.clientKey) },
      body: '{"item_id": "ps5", ',
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
  });

  it('answers 202 PENDING without a wait, and Location points at the order', async () => {
    const itemId = await createTestItem(s.inventoryStore, 10);
    const response = await postOrder(s, { item_id: itemId, quantity: 1 }, { key: randomUUID() });
    expect(response.status).toBe(202);
    expect(response.body.status).toBe('PENDING');
    const location = response.headers.get('location')!;
    const followed = await fetch(`${s.gatewayUrl}${location}`, { headers: bearer(s.clientKey) });
    expect(followed.status).toBe(200);
    await waitForStatus(s, response.body.id, ['CONFIRMED']);
  });
});

describe('reading orders', () => {
  it('answers 404 for an unknown order and 400 for a malformed id', async () => {
    const unknown = await getOrder(s, `ord_${'0'.repeat(32)}`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.type).toBe('https://valerix.dev/problems/order-not-found');
    expect((await getOrder(s, 'not-an-order')).status).toBe(400);
  });

  it('lists newest first with a status filter and cursor pagination', async () => {
    const itemId = await createTestItem(s.inventoryStore, 100);
    const placed = [];
    for (let i = 0; i < 5; i += 1) placed.push(await postOrder(s, { item_id: itemId, quantity: 1 }, { key: randomUUID(), wait: 10 }));
    const failed = await postOrder(s, { item_id: itemId, quantity: 1000 }, { key: randomUUID(), wait: 10 });
    expect(failed.body.status).toBe('FAILED');

    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = (await (
        await fetch(`${s.gatewayUrl}/api/orders?status=CONFIRMED&limit=2${cursor ? `&cursor=${cursor}` : ''}`, {
          headers: bearer(s.clientKey),
        })
      ).json()) as {
        orders: { id: string; status: string }[];
        next_cursor?: string;
      };
      expect(page.orders.length).toBeLessThanOrEqual(2);
      expect(page.orders.every((order) => order.status === 'CONFIRMED')).toBe(true);
      seen.push(...page.orders.map((order) => order.id));
      cursor = page.next_cursor;
    } while (cursor);
    const mine = placed.map((response) => response.body.id as string);
    expect(seen.filter((id) => mine.includes(id))).toEqual([...mine].reverse());
    expect(seen).not.toContain(failed.body.id);
    expect(new Set(seen).size).toBe(seen.length);

    const bad = await fetch(`${s.gatewayUrl}/api/orders?status=SHIPPED`, { headers: bearer(s.clientKey) });
    expect(bad.status).toBe(400);
  });
});

describe('order events', () => {
  it('streams each transition over SSE with an event id, resumable with Last-Event-ID', async () => {
    const itemId = await createTestItem(s.inventoryStore, 10);
    const received: { id: string; data: { eventId: string; orderId: string; status: string } }[] = [];
    const request = http.get(`${s.gatewayUrl}/api/orders/events`, { headers: bearer(s.clientKey) });
    const response = await new Promise<http.IncomingMessage>((resolve) => request.once('response', resolve));
    expect(response.headers['content-type']).toContain('text/event-stream');
    let buffer = '';
    response.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const id = block.match(/^id: (.+)$/m)?.[1];
        const data = block.match(/^data: (.+)$/m)?.[1];
        if (id && data) received.push({ id, data: JSON.parse(data) });
      }
    });
    try {
      const placed = await postOrder(s, { item_id: itemId, quantity: 1 }, { key: randomUUID(), wait: 10 });
      const mine = () => received.filter((event) => event.data.orderId === placed.body.id);
      await expect.poll(() => mine().map((event) => event.data.status), { timeout: 10_000 }).toEqual(['PENDING', 'CONFIRMED']);
      expect(new Set(mine().map((event) => event.data.eventId)).size).toBe(2);

      // Resume after the first event: only the later one comes back.
      const first = mine()[0]!;
      const resumed = await fetch(`${s.gatewayUrl}/api/orders/events?last_event_id=${first.id}`, { headers: bearer(s.clientKey) });
      const reader = resumed.body!.getReader();
      let text = '';
      while (!text.includes(`"orderId":"${placed.body.id}","status":"CONFIRMED"`)) {
        const { value } = await reader.read();
        text += new TextDecoder().decode(value);
      }
      await reader.cancel();
      expect(text).not.toContain(`"eventId":"${first.data.eventId}"`);
      expect(await s.redis.xlen(ORDER_EVENTS_STREAM)).toBeGreaterThan(0);
    } finally {
      request.destroy();
    }
  });
});

describe('health and docs', () => {
  it('reports every dependency with its latency on /health/deep', async () => {
    const response = await fetch(`${s.gatewayUrl}/health/deep`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { status: string; checks: Record<string, { status: string; latency_ms: number }> };
    expect(Object.keys(body.checks).sort()).toEqual(['inventory', 'orders_db', 'redis', 'temporal']);
    for (const check of Object.values(body.checks)) {
      expect(check.status).toBe('up');
      expect(check.latency_ms).toBeGreaterThanOrEqual(0);
    }
  });

  it('names the failing dependency with a 503 when the inventory is down', async () => {
    await s.stopInventory();
    try {
      const response = await fetch(`${s.gatewayUrl}/health/deep`);
      expect(response.status).toBe(503);
      const body = (await response.json()) as { checks: Record<string, { status: string }> };
      expect(body.checks.inventory!.status).toBe('down');
      expect(body.checks.orders_db!.status).toBe('up');
    } finally {
      await s.startInventory();
    }
  });

  it('serves an OpenAPI document generated from the route schemas', async () => {
    const spec = (await (await fetch(`${s.gatewayUrl}/docs/json`)).json()) as { openapi: string; paths: Record<string, unknown> };
    expect(spec.openapi).toMatch(/^3\./);
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining([
        '/api/orders',
        '/api/orders/{id}',
        '/api/orders/{id}/cancel',
        '/api/orders/events',
        '/health',
        '/health/deep',
      ]),
    );
    expect((await fetch(`${s.gatewayUrl}/docs`)).status).toBe(200);
  });

  it('answers unknown routes with a problem', async () => {
    const response = await fetch(`${s.gatewayUrl}/api/nothing-here`, { headers: bearer(s.clientKey) });
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
  });
});
