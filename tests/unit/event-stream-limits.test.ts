import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN_CALLER } from '../../api/gateway/clients/keys';
import type { OrderEventFeed, StreamEntry } from '../../api/gateway/events/feed';
import { MAX_QUEUED_BYTES, registerOrderEventRoutes } from '../../api/gateway/events/routes';
import { registerProblemHandling } from '../../api/http/problem';

/** The feed's fan-out without Redis: the route's own limits are under test here. */
function fakeFeed() {
  const subscribers = new Set<(entry: StreamEntry) => void>();
  const feed = {
    start: () => undefined,
    stop: async () => undefined,
    subscribe(subscriber: (entry: StreamEntry) => void) {
      subscribers.add(subscriber);
      return () => subscribers.delete(subscriber);
    },
    readAfter: async () => [],
  } as unknown as OrderEventFeed;
  return { feed, subscribers, publish: (entry: StreamEntry) => subscribers.forEach((subscriber) => subscriber(entry)) };
}

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function serve(maxStreams: number) {
  const fake = fakeFeed();
  app = Fastify({ forceCloseConnections: true });
  registerProblemHandling(app);
  // Authentication is the app's job (app.ts); here every reader is an admin.
  app.addHook('onRequest', async (request) => {
    request.caller = ADMIN_TOKEN_CALLER;
  });
  registerOrderEventRoutes(app, fake.feed, maxStreams);
  await app.listen({ host: '127.0.0.1', port: 0 });
  return { ...fake, url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/api/orders/events` };
}

function open(url: string): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => http.get(url, resolve).on('error', reject));
}

const until = async (check: () => boolean) => {
  for (let i = 0; i < 100 && !check(); i += 1) await new Promise((resolve) => setTimeout(resolve, 20));
  return check();
};

describe('order event stream bounds', () => {
  it('caps open streams (503 problem+json), frees a slot when a reader leaves, and sends no wildcard CORS', async () => {
    const { url, subscribers } = await serve(2);
    const first = await open(url);
    const second = await open(url);
    expect(first.headers['access-control-allow-origin']).toBeUndefined();
    const refused = await open(url);
    expect(refused.statusCode).toBe(503);
    expect(refused.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    refused.resume();
    first.destroy();
    expect(await until(() => subscribers.size === 1)).toBe(true);
    const third = await open(url);
    expect(third.statusCode).toBe(200);
    second.destroy();
    third.destroy();
  });

  it(`drops a reader that falls more than ${MAX_QUEUED_BYTES} bytes behind`, async () => {
    const { url, subscribers, publish } = await serve(5);
    const slow = await open(url);
    slow.pause();
    let closed = false;
    slow.on('close', () => (closed = true));
    slow.on('error', () => (closed = true));
    const big = 'x'.repeat(256 * 1024);
    for (let i = 0; i < 100 && subscribers.size > 0; i += 1) {
      publish({ id: `${i}-0`, data: big, clientId: 'cli_reader' });
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(subscribers.size).toBe(0);
    slow.resume();
    expect(await until(() => closed)).toBe(true);
  });
});
