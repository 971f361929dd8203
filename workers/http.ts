import http from 'node:http';
import type { DependencyCheck } from '../api/http/health';

/** The worker's small HTTP side: `/health`, `/health/deep` and `/metrics`. */
export function startWorkerHttp(
  host: string,
  port: number,
  routes: Record<string, () => Promise<{ status: number; contentType: string; body: string }>>,
): Promise<http.Server> {
  const server = http.createServer((request, response) => {
    const route = routes[(request.url ?? '/').split('?')[0]!];
    if (!route) {
      response.writeHead(404, { 'content-type': 'application/problem+json' });
      response.end(JSON.stringify({ type: 'about:blank', title: 'Not found', status: 404 }));
      return;
    }
    route().then(
      ({ status, contentType, body }) => {
        response.writeHead(status, { 'content-type': contentType });
        response.end(body);
      },
      () => {
        response.writeHead(500, { 'content-type': 'application/problem+json' });
        response.end(JSON.stringify({ type: 'about:blank', title: 'Internal error', status: 500 }));
      },
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

async function timed(check: DependencyCheck, timeoutMs: number) {
  const started = performance.now();
  const latency = () => Math.round((performance.now() - started) * 10) / 10;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs).unref()),
    ]);
    return { status: 'up' as const, latency_ms: latency() };
  } catch (err) {
    return { status: 'down' as const, latency_ms: latency(), error: (err as Error).message };
  }
}

/** `/health/deep` with the HTTP services' answer (api/http/health.ts): every dependency with its latency; 503 names the failing ones. */
export function deepHealthRoute(checks: Record<string, DependencyCheck>, timeoutMs = 2000) {
  return async () => {
    const names = Object.keys(checks);
    const results = await Promise.all(names.map((name) => timed(checks[name]!, timeoutMs)));
    const healthy = results.every((result) => result.status === 'up');
    const body = { status: healthy ? 'ok' : 'degraded', checks: Object.fromEntries(names.map((name, i) => [name, results[i]!])) };
    return { status: healthy ? 200 : 503, contentType: 'application/json', body: JSON.stringify(body) };
  };
}
