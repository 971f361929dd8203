import { afterEach, describe, expect, it } from 'vitest';
import { deadUrl, startFakeService, thrown, type FakeService } from '../test-support/fake-service';
import { createGatewayClient } from './gateway.server';

const ADMIN = 'gateway-admin-token';

const ORDER = {
  id: 'ord_0123456789abcdef0123456789abcdef',
  status: 'PENDING',
  lines: [{ line_no: 1, item_id: 'ps5', quantity: 2, reservation_id: 'r1', status: 'PENDING', attempts: 0 }],
  cancel_requested: false,
  version: 1,
  timeline: [],
  source: 'request',
};

let fake: FakeService | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

describe('gateway client', () => {
  it('places an order with the Idempotency-Key header and a lines body', async () => {
    fake = await startFakeService(() => ({ status: 202, body: { ...ORDER, replayed: false } }));
    const result = await createGatewayClient([fake.url], ADMIN).placeOrder('key-1', [{ item_id: 'ps5', quantity: 2 }]);
    expect(result).toEqual({ ok: true, order: { ...ORDER, replayed: false }, replayed: false });
    const [request] = fake.requests;
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe('/api/orders');
    expect(request?.headers['idempotency-key']).toBe('key-1');
    expect(JSON.parse(request!.body)).toEqual({ lines: [{ item_id: 'ps5', quantity: 2 }] });
  });

  it('reports a replay from the idempotency-replayed header', async () => {
    fake = await startFakeService(() => ({ status: 201, headers: { 'idempotency-replayed': 'true' }, body: ORDER }));
    const result = await createGatewayClient([fake.url], ADMIN).placeOrder('key-1', [{ item_id: 'ps5', quantity: 2 }]);
    expect(result.ok && result.replayed).toBe(true);
  });

  it('returns a 4xx problem to the caller instead of throwing', async () => {
    const problem = {
      type: 'https://valerix.dev/problems/idempotency-key-reused',
      title: 'Idempotency-Key reused',
      status: 422,
      detail: 'different body',
    };
    fake = await startFakeService(() => ({ status: 422, headers: { 'content-type': 'application/problem+json' }, body: problem }));
    expect(await createGatewayClient([fake.url], ADMIN).placeOrder('k', [{ item_id: 'ps5', quantity: 1 }])).toEqual({ ok: false, problem });
  });

  it('throws a 503 gateway outage on a 5xx answer', async () => {
    fake = await startFakeService(() => ({ status: 503, body: { type: 'x', title: 'Order state unavailable', status: 503 } }));
    expect(await thrown(createGatewayClient([fake.url], ADMIN).placeOrder('k', [{ item_id: 'ps5', quantity: 1 }]))).toEqual({
      status: 503,
      data: { outage: 'gateway', detail: 'it answered 503 Order state unavailable' },
    });
  });

  it('throws a 503 gateway outage naming the cause when nothing listens', async () => {
    const error = await thrown(createGatewayClient([await deadUrl()], ADMIN).listOrders({ limit: 10 }));
    expect(error).toEqual({ status: 503, data: { outage: 'gateway', detail: 'connection refused (is it running?)' } });
  });

  it('throws a gateway outage when it does not answer in time', async () => {
    fake = await startFakeService(() => new Promise(() => undefined));
    const error = await thrown(createGatewayClient([fake.url], ADMIN, 100).listOrders({ limit: 10 }));
    expect(error).toEqual({ status: 503, data: { outage: 'gateway', detail: 'no answer within 0.1 s' } });
  });

  it('moves on to the next gateway when one is down, and stays there', async () => {
    fake = await startFakeService(() => ({ status: 202, body: { ...ORDER, replayed: false } }));
    const client = createGatewayClient([await deadUrl(), fake.url], ADMIN);
    expect((await client.placeOrder('key-1', [{ item_id: 'ps5', quantity: 2 }])).ok).toBe(true);
    expect((await client.placeOrder('key-2', [{ item_id: 'ps5', quantity: 2 }])).ok).toBe(true);
    expect(fake.requests.map((request) => request.headers['idempotency-key'])).toEqual(['key-1', 'key-2']);
  });

  it('names the outage when every gateway is down', async () => {
    const error = await thrown(createGatewayClient([await deadUrl(), await deadUrl()], ADMIN).listOrders({ limit: 10 }));
    expect(error).toEqual({ status: 503, data: { outage: 'gateway', detail: 'connection refused (is it running?)' } });
  });

  it('lists with status, limit and cursor as query parameters', async () => {
    fake = await startFakeService(() => ({ body: { orders: [ORDER], next_cursor: 'abc' } }));
    const list = await createGatewayClient([fake.url], ADMIN).listOrders({ status: 'PENDING', limit: 20, cursor: 'c1' });
    expect(list.next_cursor).toBe('abc');
    expect(fake.requests[0]?.path).toBe('/api/orders?status=PENDING&limit=20&cursor=c1');
  });

  it('answers null for an unknown order', async () => {
    fake = await startFakeService(() => ({ status: 404, body: { type: 'x', title: 'Order not found', status: 404 } }));
    expect(await createGatewayClient([fake.url], ADMIN).getOrder(ORDER.id)).toBeNull();
  });

  it('sends the admin bearer token on every call, the event stream and /health/deep included', async () => {
    fake = await startFakeService((request, response) => {
      if (request.path === '/api/orders/events') {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        return void response.end('retry: 3000\n\n');
      }
      if (request.path === '/health/deep') return { body: { status: 'ok', checks: {} } };
      return { status: request.method === 'POST' ? 202 : 200, body: request.path === '/api/orders?limit=1' ? { orders: [] } : ORDER };
    });
    const client = createGatewayClient([fake.url], ADMIN);
    await client.listOrders({ limit: 1 });
    await client.getOrder(ORDER.id);
    await client.placeOrder('k', [{ item_id: 'ps5', quantity: 1 }]);
    await client.cancelOrder(ORDER.id);
    await (await client.orderEvents(null, new AbortController().signal)).text();
    await client.deepHealth();
    expect(fake.requests.map((request) => request.path)).toEqual([
      '/api/orders?limit=1',
      `/api/orders/${ORDER.id}`,
      '/api/orders',
      `/api/orders/${ORDER.id}/cancel`,
      '/api/orders/events',
      '/health/deep',
    ]);
    for (const request of fake.requests) expect(request.headers.authorization, request.path).toBe(`Bearer ${ADMIN}`);
  });

  it('reports whether a cancel settled, and a 409 as a problem', async () => {
    fake = await startFakeService((request) =>
      request.path.includes('ord_1')
        ? { status: 200, body: { ...ORDER, status: 'CANCELLED' } }
        : { status: 409, body: { type: 'x', title: 'Order cannot be cancelled', status: 409, detail: 'already FAILED' } },
    );
    const client = createGatewayClient([fake.url], ADMIN);
    expect(await client.cancelOrder('ord_1')).toMatchObject({ ok: true, settled: true, order: { status: 'CANCELLED' } });
    expect(await client.cancelOrder('ord_2')).toEqual({
      ok: false,
      problem: { type: 'x', title: 'Order cannot be cancelled', status: 409, detail: 'already FAILED' },
    });
    expect(fake.requests[0]).toMatchObject({ method: 'POST', path: '/api/orders/ord_1/cancel' });
  });

  it('passes the event stream through, resuming from Last-Event-ID', async () => {
    fake = await startFakeService((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.end('retry: 3000\n\nid: 1-0\nevent: order\ndata: {"eventId":"o:1"}\n\n');
    });
    const response = await createGatewayClient([fake.url], ADMIN).orderEvents('5-1', new AbortController().signal);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(response.headers.get('cache-control')).toContain('no-transform');
    expect(await response.text()).toBe('retry: 3000\n\nid: 1-0\nevent: order\ndata: {"eventId":"o:1"}\n\n');
    expect(fake.requests[0]?.headers['last-event-id']).toBe('5-1');
  });

  it('drops a Last-Event-ID that is not a stream id', async () => {
    fake = await startFakeService((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.end();
    });
    await (await createGatewayClient([fake.url], ADMIN).orderEvents('1-0\nevent: x', new AbortController().signal)).text();
    expect(fake.requests[0]?.headers['last-event-id']).toBeUndefined();
  });

  it('answers an unreachable gateway with a stream telling the browser to retry', async () => {
    const response = await createGatewayClient([await deadUrl()], ADMIN).orderEvents(null, new AbortController().signal);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('retry: 3000\nevent: unavailable\ndata: connection refused (is it running?)\n\n');
  });

  it('stops reading from the gateway when the browser goes away', async () => {
    let closed!: () => void;
    const upstreamClosed = new Promise<void>((resolve) => (closed = resolve));
    fake = await startFakeService((request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('retry: 3000\n\n');
      response.on('close', closed);
    });
    const browser = new AbortController();
    const response = await createGatewayClient([fake.url], ADMIN).orderEvents(null, browser.signal);
    const reader = response.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('retry: 3000\n\n');
    browser.abort();
    await upstreamClosed;
  });

  /** A gateway stream that never ends; `open()` counts its connections still open. */
  async function endlessUpstream() {
    let open = 0;
    fake = await startFakeService((_request, response) => {
      open += 1;
      response.on('close', () => (open -= 1));
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('retry: 3000\n\n');
    });
    return { url: fake.url, open: () => open };
  }

  it('closes the gateway connection after the stream’s lifetime even when no abort arrives', async () => {
    const upstream = await endlessUpstream();
    // Behind remix-serve the request's signal may never fire (see EVENT_STREAM_LIFETIME_MS): this one never does.
    const response = await createGatewayClient([upstream.url], ADMIN, 10_000, 200).orderEvents(null, new AbortController().signal);
    expect(await response.text()).toBe('retry: 3000\n\n');
    await expect.poll(upstream.open, { timeout: 2_000 }).toBe(0);
  });

  it('closes the gateway connection when the browser’s stream is cancelled', async () => {
    const upstream = await endlessUpstream();
    const reader = (await createGatewayClient([upstream.url], ADMIN).orderEvents(null, new AbortController().signal)).body!.getReader();
    await reader.read();
    await reader.cancel();
    await expect.poll(upstream.open, { timeout: 2_000 }).toBe(0);
  });

  it('reads /health/deep with its round trip, also when it answers 503', async () => {
    const checks = { temporal: { status: 'down', latency_ms: 2000, error: 'timeout' } };
    fake = await startFakeService(() => ({ status: 503, body: { status: 'degraded', checks } }));
    const health = await createGatewayClient([fake.url], ADMIN).deepHealth();
    expect(health.body).toEqual({ status: 'degraded', checks });
    expect(health.probe.status).toBe(503);
    expect(health.probe.latencyMs).toBeGreaterThan(0);
  });

  it('reports an unreachable gateway from /health/deep without throwing', async () => {
    const health = await createGatewayClient([await deadUrl()], ADMIN).deepHealth();
    expect(health.body).toBeNull();
    expect(health.probe.error).toBe('connection refused (is it running?)');
  });
});

describe('gateway client: the operator API', () => {
  const LOAD = {
    running: true,
    rate: 5,
    duration_s: 40,
    started_at: '2026-11-25T12:00:00.000Z',
    ends_at: '2026-11-25T12:00:40.000Z',
    placed: 0,
    failed: 0,
  };
  const STATS = { window_ms: 120_000, bucket_ms: 5_000, buckets: [], load: { ...LOAD, running: false } };

  it('reads the stats and the load status, and starts and stops a load, as the admin', async () => {
    fake = await startFakeService((request) => {
      if (request.path === '/api/admin/stats') return { body: STATS };
      if (request.method === 'POST') return { status: 202, body: LOAD };
      return { body: request.method === 'DELETE' ? { ...LOAD, running: false } : LOAD };
    });
    const client = createGatewayClient([fake.url], ADMIN);
    expect(await client.operatorStats()).toEqual(STATS);
    expect(await client.loadStatus()).toEqual({ ok: true, load: LOAD });
    expect(await client.startLoad({ rate: 5, duration_s: 40, multi_share: 0.3 })).toEqual({ ok: true, load: LOAD });
    expect(await client.stopLoad()).toEqual({ ok: true, load: { ...LOAD, running: false } });
    expect(fake.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      'GET /api/admin/stats',
      'GET /api/admin/load',
      'POST /api/admin/load',
      'DELETE /api/admin/load',
    ]);
    expect(JSON.parse(fake.requests[2]!.body)).toEqual({ rate: 5, duration_s: 40, multi_share: 0.3 });
    expect(fake.requests[2]!.headers['content-type']).toBe('application/json');
    for (const request of fake.requests) expect(request.headers.authorization, request.path).toBe(`Bearer ${ADMIN}`);
  });

  it('returns a 409 (a load already runs) and a 400 as problems', async () => {
    const busy = { type: 'x', title: 'A load is already running', status: 409, detail: 'stop it first' };
    const bad = { type: 'y', title: 'Invalid load', status: 400 };
    fake = await startFakeService((request) => {
      const problem = JSON.parse(request.body).rate === 5 ? busy : bad;
      return { status: problem.status, headers: { 'content-type': 'application/problem+json' }, body: problem };
    });
    const client = createGatewayClient([fake.url], ADMIN);
    expect(await client.startLoad({ rate: 5, duration_s: 40, multi_share: 0.3 })).toEqual({ ok: false, problem: busy });
    expect(await client.startLoad({ rate: 500, duration_s: 40, multi_share: 0.3 })).toEqual({ ok: false, problem: bad });
  });

  it('returns a 503 when the gateway cannot list the items to order as a problem too', async () => {
    const problem = { type: 'z', title: 'Items unavailable', status: 503, detail: 'The inventory lists no items to order.' };
    fake = await startFakeService(() => ({ status: 503, headers: { 'content-type': 'application/problem+json' }, body: problem }));
    expect(await createGatewayClient([fake.url], ADMIN).startLoad({ rate: 5, duration_s: 40, multi_share: 0.3 })).toEqual({
      ok: false,
      problem,
    });
  });

  it('says so when the gateway has no operator API, or refuses the token', async () => {
    fake = await startFakeService((request) =>
      request.method === 'DELETE'
        ? { status: 403, body: { type: 'x', title: 'Forbidden', status: 403 } }
        : { status: 404, body: { type: 'x', title: 'Not Found', status: 404 } },
    );
    const client = createGatewayClient([fake.url], ADMIN);
    expect(await thrown(client.operatorStats())).toEqual({
      status: 404,
      data: { type: 'x', title: 'Not Found', status: 404, detail: 'This gateway has no operator API (/api/admin/stats).' },
    });
    expect(await client.stopLoad()).toEqual({
      ok: false,
      problem: {
        type: 'x',
        title: 'Forbidden',
        status: 403,
        detail: 'The gateway refused the dashboard’s admin token: check ADMIN_TOKEN on both.',
      },
    });
  });

  it('moves on to the next gateway for the stats, and throws an outage when none answers', async () => {
    fake = await startFakeService(() => ({ body: STATS }));
    expect(await createGatewayClient([await deadUrl(), fake.url], ADMIN).operatorStats()).toEqual(STATS);
    expect(await thrown(createGatewayClient([await deadUrl()], ADMIN).stopLoad())).toEqual({
      status: 503,
      data: { outage: 'gateway', detail: 'connection refused (is it running?)' },
    });
  });
});
