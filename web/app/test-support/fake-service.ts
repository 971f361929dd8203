import http from 'node:http';
import { afterEach } from 'vitest';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface FakeAnswer {
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
}

type Handler = (request: RecordedRequest, response: http.ServerResponse) => FakeAnswer | void | Promise<FakeAnswer | void>;

/**
 * A real HTTP server standing in for the gateway or the inventory service in unit tests, so
 * the server modules are tested through their actual fetch calls. A handler returning nothing
 * has written the response itself (streams).
 */
export async function startFakeService(handler: Handler) {
  const requests: RecordedRequest[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', async () => {
      const recorded = { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, body };
      requests.push(recorded);
      const answer = await handler(recorded, res);
      if (!answer) return;
      const json = answer.body === undefined ? '' : JSON.stringify(answer.body);
      res.writeHead(answer.status ?? 200, { 'content-type': 'application/json', ...answer.headers });
      res.end(json);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type FakeService = Awaited<ReturnType<typeof startFakeService>>;

/**
 * For a test file: `fake(handler)` starts a fake service and answers its URL; every one started
 * is closed after each test.
 */
export function fakeServicesPerTest(): (handler: Handler) => Promise<string> {
  let fakes: FakeService[] = [];
  afterEach(async () => {
    await Promise.all(fakes.map((fake) => fake.close()));
    fakes = [];
  });
  return async (handler) => {
    const service = await startFakeService(handler);
    fakes.push(service);
    return service.url;
  };
}

/** A URL nothing listens on: the port of a server that was just closed. */
export async function deadUrl(): Promise<string> {
  const fake = await startFakeService(() => ({}));
  await fake.close();
  return fake.url;
}

/** What a thrown `data(...)` (a route error) carries. */
export async function thrown(promise: Promise<unknown>): Promise<{ data: unknown; status: number | undefined }> {
  try {
    await promise;
  } catch (err) {
    const value = err as { data?: unknown; init?: { status?: number } };
    return { data: value.data, status: value.init?.status };
  }
  throw new Error('expected a thrown route error');
}
