import { Counter, Histogram, type Registry } from 'prom-client';
import { LATENCY_BUCKETS } from '../../shared/metrics';
import type { AnyFastify } from './types';

/** RED metrics of the HTTP services (the gateway and the inventory service). */

/** Route label of requests that matched no route: one value, whatever the URL. */
const UNMATCHED_ROUTE = 'unmatched';

function statusClass(statusCode: number): string {
  return `${Math.floor(statusCode / 100)}xx`;
}

/**
 * RED metrics per route template (never the raw URL) plus `GET /metrics`. Call before the
 * routes are declared. A response cut before its headers (client gone, chaos dropping the
 * answer) counts as status_class "aborted"; a stream cut after its headers (SSE) counts by its
 * status without a duration, since its lifetime is not a latency.
 */
export function registerHttpMetrics(app: AnyFastify, registry: Registry): void {
  const labelNames = ['route', 'method', 'status_class'] as const;
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by route template, method and status class.',
    labelNames,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by route template, method and status class.',
    labelNames,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });

  app.addHook('onRequest', async (request, reply) => {
    const route = request.routeOptions.url ?? UNMATCHED_ROUTE;
    if (route === '/metrics') return;
    const started = performance.now();
    reply.raw.once('close', () => {
      const { headersSent, writableEnded, statusCode } = reply.raw;
      const labels = { route, method: request.method, status_class: headersSent ? statusClass(statusCode) : 'aborted' };
      requests.inc(labels);
      if (writableEnded || !headersSent) duration.observe(labels, (performance.now() - started) / 1000);
    });
  });

  app.get(
    '/metrics',
    { schema: { tags: ['health'], description: 'Prometheus metrics, text exposition format 0.0.4.', produces: ['text/plain'] } },
    async (_request, reply) => {
      const body = await registry.metrics();
      return reply.type(registry.contentType).send(body);
    },
  );
}
