import http from 'node:http';
import { checkDependencies, type DependencyCheck } from '../shared/contract/health';

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

/** `/health/deep` with the HTTP services' answer (api/http/health.ts): every dependency with its latency; 503 names the failing ones. */
export function deepHealthRoute(checks: Record<string, DependencyCheck>, timeoutMs = 2000) {
  return async () => {
    const report = await checkDependencies(checks, timeoutMs);
    return { status: report.status === 'ok' ? 200 : 503, contentType: 'application/json', body: JSON.stringify(report) };
  };
}
