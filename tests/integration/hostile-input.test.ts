import { randomUUID } from 'node:crypto';
import net from 'node:net';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createClientStore } from '../../api/gateway/clients/store';
import { httpServerOptions } from '../../api/http/server-options';
import { registerProblemHandling } from '../../api/http/problem';
import { PROBLEM_TYPES } from '../../shared/contract/problems';
import {
  TEST_SERVICE_TOKEN,
  TEST_STUCK_AFTER_MS,
  bearer,
  createTestItem,
  postOrder,
  startTestServices,
  waitForStatus,
  type TestServices,
} from '../support/services';

let s: TestServices;

beforeAll(async () => {
  s = await startTestServices();
});
afterAll(async () => {
  await s?.stop();
});

const PROBLEM = 'application/problem+json; charset=utf-8';

/** Text Postgres cannot store (NUL, lone surrogates) and other control characters. */
const POISON = ['stop\u0000now', 'half \ud800 pair', 'tail \udc00', 'bell \u0007', 'esc \u001b[31m', 'c1 \u0085'];

/** A request with the test client's API key, unless `init` brings another credential. */
async function send(url: string, init: RequestInit) {
  const response = await fetch(url, { ...init, headers: { ...bearer(s.clientKey), ...(init.headers as Record<string, string>) } });
  const text = await response.text();
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
}

/** A raw request over a socket, for what fetch refuses to send; resolves with the whole answer. */
function rawRequest(url: string, request: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => socket.write(request));
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString()));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

describe('poison input never reaches durable state', () => {
  it('refuses a cancel reason with control characters or lone surrogates (400), and the order stays cancellable', async () => {
    const itemId = await createTestItem(s.inventoryStore, 5);
    const order = await postOrder(s, { item_id: itemId, quantity: 1 }, { key: randomUUID(), wait: 10 });
    expect(order.body.status).toBe('CONFIRMED');
    for (const reason of POISON) {
      const refused = await send(`${s.gatewayUrl}/api/orders/${order.body.id}/cancel`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ reason }),
      });
      expect(refused.status, JSON.stringify(reason)).toBe(400);
      expect(refused.type).toBe(PROBLEM);
      expect(refused.body.type).toBe(PROBLEM_TYPES.validation);
    }
    const cancelled = await send(`${s.gatewayUrl}/api/orders/${order.body.id}/cancel`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'changed my mind — ünïcödé and emoji 📦 are fine' }),
    });
    expect(cancelled.status).toBe(200);
    await waitForStatus(s, order.body.id, ['CANCELLED']);
    expect((await s.inventoryStore.get(itemId))!.stock).toBe(5);
  });

  it('refuses poison in every id: order id, item id, reservation id and Idempotency-Key', async () => {
    for (const poison of POISON) {
      // A lone surrogate has no UTF-8 form; the bytes of one (ED A0 80) stand in for it in a URL.
      const id = /\p{Cs}/u.test(poison) ? 'ord_%ED%A0%80' : encodeURIComponent(`ord_${poison}`);
      const path = `${s.gatewayUrl}/api/orders/${id}`;
      expect((await send(path, {})).status, JSON.stringify(poison)).toBe(400);
      const item = await postOrder(s, { item_id: poison, quantity: 1 }, { key: randomUUID() });
      expect(item.status).toBe(400);
      const reservation = await send(`${s.inventoryUrl}/api/inventory/deduct`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_SERVICE_TOKEN}` },
        body: JSON.stringify({ item_id: 'ps5', quantity: 1, reservation_id: poison }),
      });
      expect(reservation.status, JSON.stringify(poison)).toBe(400);
      expect(reservation.type).toBe(PROBLEM);
    }
    // fetch will not send control characters in a header; Node's parser answers before Fastify.
    const answer = await rawRequest(
      s.gatewayUrl,
      'POST /api/orders HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\nidempotency-key: a\u0001b\r\ncontent-length: 2\r\n\r\n{}',
    );
    expect(answer).toMatch(/^HTTP\/1\.1 400/);
    expect(answer).toContain('content-type: application/problem+json');
  });
});

describe('a wedged order is seen', () => {
  it('counts an order left non-terminal past ORDER_STUCK_AFTER_MS in orders_stuck', async () => {
    const stuckCount = async () => {
      const text = await (await fetch(`${s.gatewayUrl}/metrics`)).text();
      return Number(text.match(/^orders_stuck (\S+)$/m)?.[1]);
    };
    const before = await stuckCount();
    const longAgo = new Date(Date.now() - TEST_STUCK_AFTER_MS - 60_000);
    const id = `ord_${randomUUID().replaceAll('-', '')}`;
    await s.ordersDb.order.create({ data: { id, status: 'CANCELLING', version: 3, createdAt: longAgo, updatedAt: longAgo } });
    expect(await stuckCount()).toBe(before + 1);
    await s.ordersDb.order.update({ where: { id }, data: { status: 'CANCELLED' } });
    expect(await stuckCount()).toBe(before);
  });
});

describe('every refusal is problem+json with a stable type', () => {
  it('answers malformed JSON, a wrong media type and an oversized body', async () => {
    const post = (body: string, contentType = 'application/json') =>
      send(`${s.gatewayUrl}/api/orders`, {
        method: 'POST',
        headers: { 'content-type': contentType, 'idempotency-key': randomUUID() },
        body,
      });
    const malformed = await post('{"item_id": ');
    expect([malformed.status, malformed.type, malformed.body.type]).toEqual([400, PROBLEM, PROBLEM_TYPES.validation]);
    const text = await post('<order/>', 'application/xml');
    expect([text.status, text.type, text.body.type]).toEqual([415, PROBLEM, PROBLEM_TYPES.unsupportedMediaType]);
    const huge = await post(JSON.stringify({ lines: [{ item_id: 'x'.repeat(200_000), quantity: 1 }] }));
    expect([huge.status, huge.type, huge.body.type]).toEqual([413, PROBLEM, PROBLEM_TYPES.payloadTooLarge]);
  });

  it('answers an oversized header from Node itself as problem+json (431)', async () => {
    const answer = await rawRequest(s.gatewayUrl, `GET /api/orders HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(answer).toMatch(/^HTTP\/1\.1 431/);
    expect(answer).toContain('content-type: application/problem+json');
  });

  it('refuses a cursor it did not write (400) instead of answering the first page', async () => {
    for (const cursor of ['bm90LWEtY3Vyc29y', Buffer.from('-271821-04-20T00:00:00.000Z|ord_x').toString('base64url'), 'abc']) {
      const answer = await send(`${s.gatewayUrl}/api/orders?cursor=${cursor}`, {});
      expect([answer.status, answer.type], cursor).toEqual([400, PROBLEM]);
    }
  });

  it('cuts off a request body that arrives too slowly (408), on a server with the shared options', async () => {
    const app = Fastify(httpServerOptions('slow-body-test', 'silent', { requestTimeoutMs: 500 }));
    registerProblemHandling(app);
    app.post('/', async () => ({ ok: true }));
    await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const url = `http://127.0.0.1:${(app.server.address() as net.AddressInfo).port}`;
      const started = Date.now();
      // Announces 100 bytes and sends 2.
      const answer = await rawRequest(url, 'POST / HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"');
      expect(answer).toMatch(/^HTTP\/1\.1 408/);
      expect(answer).toContain('content-type: application/problem+json');
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      await app.close();
    }
  });
});

describe('bounded per caller', () => {
  it('answers 429 problem+json with Retry-After past a caller budget, shared through Redis by every replica', async () => {
    const limited = await startTestServices({ ordersPerMinute: 3, inventoryPerMinute: 3, withWorker: false });
    try {
      // Gateway counters are per client (a fresh one here); inventory ones per address: start from none.
      await limited.redis.del('valerix:rate:inventory:ip:127.0.0.1');
      const statuses: number[] = [];
      for (let i = 0; i < 4; i += 1)
        statuses.push((await postOrder(limited, { item_id: 'ps5', quantity: 1 }, { key: randomUUID() })).status);
      expect(statuses.slice(0, 3).every((status) => status === 202 || status === 201)).toBe(true);
      const refused = await fetch(`${limited.gatewayUrl}/api/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID(), ...bearer(limited.clientKey) },
        body: JSON.stringify({ item_id: 'ps5', quantity: 1 }),
      });
      expect(statuses[3]).toBe(429);
      expect(refused.status).toBe(429);
      expect(refused.headers.get('content-type')).toBe(PROBLEM);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(((await refused.json()) as { type: string }).type).toBe(PROBLEM_TYPES.rateLimited);
      // Reading orders is not limited by the order budget.
      expect((await fetch(`${limited.gatewayUrl}/api/orders?limit=1`, { headers: bearer(limited.clientKey) })).status).toBe(200);
      // The budget is the client's, not the address's: another client from the same address still gets in.
      const other = await createClientStore(limited.ordersDb).create(`other-${randomUUID().slice(0, 8)}`, 'client');
      expect(
        (await postOrder({ gatewayUrl: limited.gatewayUrl, clientKey: other.key }, { item_id: 'ps5', quantity: 1 }, { key: randomUUID() }))
          .status,
      ).toBe(202);

      for (let i = 0; i < 3; i += 1) expect((await fetch(`${limited.inventoryUrl}/api/inventory`)).status).toBe(200);
      expect((await fetch(`${limited.inventoryUrl}/api/inventory`)).status).toBe(429);
      // A made-up token buys no fresh budget; the worker's own token has its own.
      expect((await fetch(`${limited.inventoryUrl}/api/inventory`, { headers: { authorization: 'Bearer made-up' } })).status).toBe(429);
      expect(
        (await fetch(`${limited.inventoryUrl}/api/inventory`, { headers: { authorization: `Bearer ${TEST_SERVICE_TOKEN}` } })).status,
      ).toBe(200);
      expect((await fetch(`${limited.inventoryUrl}/health`)).status).toBe(200);
    } finally {
      await limited.stop();
    }
  });
});

describe('OpenAPI documents', () => {
  it('declare every error response as application/problem+json, with the statuses the servers send', async () => {
    for (const url of [s.gatewayUrl, s.inventoryUrl]) {
      const document = (await (await fetch(`${url}/docs/json`)).json()) as {
        paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>>;
      };
      for (const [path, operations] of Object.entries(document.paths)) {
        if (!path.startsWith('/api/')) continue;
        for (const [method, operation] of Object.entries(operations)) {
          const errors = Object.entries(operation.responses).filter(([status]) => Number(status) >= 400);
          expect(
            errors.map(([status]) => status),
            `${method} ${path}`,
          ).toEqual(expect.arrayContaining(['400', '413', '415', '429', '500']));
          for (const [status, response] of errors)
            expect(Object.keys(response.content ?? {}), `${method} ${path} ${status}`).toEqual(['application/problem+json']);
        }
      }
    }
  });
});

describe('infrastructure credentials', () => {
  it('Redis refuses a client without the password, so chaos settings change only through the admin API', async () => {
    const withPassword = new URL(inject('infra').redisUrl);
    expect(withPassword.password).not.toBe('');
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(withPassword.port), withPassword.hostname, () => socket.write('SET valerix:chaos poisoned\r\n'));
      socket.once('data', (data) => {
        socket.destroy();
        resolve(data.toString());
      });
      socket.once('error', reject);
    });
    expect(answer).toMatch(/^-NOAUTH/);
  });
});
