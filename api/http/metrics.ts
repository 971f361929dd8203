import type { FastifyBaseLogger } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { AnyFastify } from './types';

/**
 * Prometheus metrics of the HTTP services. Every app gets its own Registry (passed in its
 * deps), so several apps can live in one process (tests) without clashing registrations.
 */

/** Latency buckets with an edge at exactly 1 s: the threshold where dashboards turn red. */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 10, 30, 60];

/** Route label of requests that matched no route: one value, whatever the URL. */
export const UNMATCHED_ROUTE = 'unmatched';

/** A registry whose series all carry `service`; with process metrics in the real processes. */
export function createMetricsRegistry(service: string, options: { processMetrics?: boolean } = {}): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  if (options.processMetrics) collectDefaultMetrics({ register: registry });
  return registry;
}

export function statusClass(statusCode: number): string {
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
  const requests = new Counter({ name: 'http_requests_total', help: 'HTTP requests answered, by route template, method and status class.', labelNames, registers: [registry] });
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

  app.get('/metrics', { schema: { tags: ['health'], description: 'Prometheus metrics, text exposition format 0.0.4.', produces: ['text/plain'] } }, async (_request, reply) => {
    const body = await registry.metrics();
    return reply.type(registry.contentType).send(body);
  });
}

/**
 * Gateway: idempotent replays served (`Idempotency-Replayed: true` on POST /api/orders), and
 * orders stuck in a non-terminal status (read at scrape time from the read model).
 */
export function registerGatewayMetrics(
  app: AnyFastify,
  registry: Registry,
  stuck: { count: () => Promise<number>; afterSeconds: number },
): void {
  new Gauge({
    name: 'orders_stuck',
    help: `Orders in a non-terminal status not updated for over ${stuck.afterSeconds} s (ORDER_STUCK_AFTER_MS): a wedged saga.`,
    registers: [registry],
    async collect() {
      this.set(await stuck.count().catch(() => Number.NaN));
    },
  });
  const replays = new Counter({ name: 'idempotent_replays_total', help: 'POST /api/orders answered from an existing order (same Idempotency-Key).', registers: [registry] });
  app.addHook('onSend', async (request, reply, payload) => {
    if (request.method === 'POST' && request.routeOptions.url === '/api/orders' && reply.getHeader('idempotency-replayed') === 'true') replays.inc();
    return payload;
  });
}

export type ReservationOperation = 'reserve' | 'release';

export interface InventoryMetrics {
  /** One committed outcome of a reservation or release (label values are bounded by the callers' unions). */
  outcome(operation: ReservationOperation, outcome: string): void;
}

/**
 * Inventory: reservation outcomes (counted as they happen), stock per item and chaos state
 * (both read at scrape time, so they are never stale and cost nothing between scrapes).
 */
export function registerInventoryMetrics(
  registry: Registry,
  sources: {
    items: () => Promise<{ item_id: string; stock: number; reserved: number }[]>;
    /** Absent when chaos mode is not wired in (tests with injected faults): reported as off. */
    chaos?: () => Promise<{ enabled: boolean; latency_rate: number; crash_rate: number; lost_response_rate: number; kill_rate: number }>;
    log: FastifyBaseLogger;
  },
): InventoryMetrics {
  const outcomes = new Counter({
    name: 'inventory_reservation_outcomes_total',
    help: 'Committed reservation and release outcomes.',
    labelNames: ['operation', 'outcome'],
    registers: [registry],
  });
  // Both gauges collect concurrently within one scrape: they share a single query.
  let inFlight: ReturnType<typeof sources.items> | undefined;
  const readItems = () =>
    (inFlight ??= sources
      .items()
      .catch((err: unknown) => {
        // No series beats a stale one; the scrape still answers with every other metric.
        sources.log.warn({ err }, 'stock metrics unavailable');
        return [];
      })
      .finally(() => {
        inFlight = undefined;
      }));
  new Gauge({
    name: 'inventory_stock_level',
    help: 'Units in stock per item.',
    labelNames: ['item_id'],
    registers: [registry],
    async collect() {
      const items = await readItems();
      this.reset();
      for (const item of items) this.set({ item_id: item.item_id }, item.stock);
    },
  });
  new Gauge({
    name: 'inventory_reserved_level',
    help: 'Units held by active reservations per item.',
    labelNames: ['item_id'],
    registers: [registry],
    async collect() {
      const items = await readItems();
      this.reset();
      for (const item of items) this.set({ item_id: item.item_id }, item.reserved);
    },
  });

  new Gauge({
    name: 'inventory_chaos_enabled',
    help: 'Chaos mode: 1 on, 0 off.',
    registers: [registry],
    async collect() {
      this.set((await sources.chaos?.())?.enabled ? 1 : 0);
    },
  });
  new Gauge({
    name: 'inventory_chaos_fault_rate',
    help: 'Share of calls hit by each chaos fault (0 while chaos is off).',
    labelNames: ['fault'],
    registers: [registry],
    async collect() {
      const settings = await sources.chaos?.();
      const on = settings?.enabled === true;
      this.set({ fault: 'latency' }, on ? settings.latency_rate : 0);
      this.set({ fault: 'crash' }, on ? settings.crash_rate : 0);
      this.set({ fault: 'lost_response' }, on ? settings.lost_response_rate : 0);
      this.set({ fault: 'kill' }, on ? settings.kill_rate : 0);
    },
  });

  return {
    outcome(operation, outcome) {
      outcomes.inc({ operation, outcome: outcome.replaceAll('-', '_') });
    },
  };
}
