import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Logger } from 'pino';
import type { OrderMetrics } from '../activities';
import { LATENCY_BUCKETS, createMetricsRegistry } from '../shared/metrics';
import { CANCEL_REASONS, FAILURE_REASONS, TERMINAL_STATUSES, isTerminal, type OrderState } from '../shared/contract/orders';

export function createWorkerRegistry(options: { processMetrics?: boolean } = {}): Registry {
  return createMetricsRegistry('worker', options);
}

/** Saga metrics, fed by the recordTransition activity once per transition written. */
export function createOrderMetrics(registry: Registry): OrderMetrics {
  const completed = new Counter({
    name: 'orders_completed_total',
    help: 'Orders reaching a terminal status, by status and reason (a return counts again as CANCELLED/returned).',
    labelNames: ['status', 'reason'],
    registers: [registry],
  });
  const compensations = new Counter({
    name: 'order_compensations_total',
    help: 'Sagas that started undoing their reservations (COMPENSATING after a failure, CANCELLING after a cancel or return), by reason.',
    labelNames: ['reason'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'order_processing_duration_seconds',
    help: 'From acceptance to the first terminal status of an order, by that status.',
    labelNames: ['status'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });

  // Every possible series exists at 0 from the start: increase() then sees the very first
  // failure (a series born at 1 looks like no change), and the label set is visibly bounded.
  completed.inc({ status: 'CONFIRMED', reason: 'none' }, 0);
  for (const reason of FAILURE_REASONS) completed.inc({ status: 'FAILED', reason }, 0);
  for (const reason of CANCEL_REASONS) completed.inc({ status: 'CANCELLED', reason }, 0);
  for (const reason of [...FAILURE_REASONS, ...CANCEL_REASONS]) compensations.inc({ reason }, 0);
  for (const status of TERMINAL_STATUSES) duration.zero({ status });

  return {
    transitionRecorded(state: OrderState) {
      // `reason` is a closed union in OrderState, so the label set stays bounded.
      const reason = state.reason ?? 'none';
      if (state.status === 'COMPENSATING' || state.status === 'CANCELLING') compensations.inc({ reason });
      if (!isTerminal(state.status)) return;
      completed.inc({ status: state.status, reason });
      // A return ends an order that was already counted as CONFIRMED: its days-long span is no processing time.
      if (state.reason !== 'returned') {
        duration.observe({ status: state.status }, (Date.parse(state.updatedAt) - Date.parse(state.createdAt)) / 1000);
      }
    },
  };
}

/**
 * The worker's one /metrics: prom-client's registry followed by the Temporal SDK's own
 * Prometheus exporter (bound to loopback, re-served here). `sdkExporter` is absent when the
 * exporter is switched off; its `url` is absent when it failed to start. When the exporter
 * does not answer, the rest is still served and `worker_sdk_metrics_up` says 0.
 */
export function createWorkerMetricsEndpoint(registry: Registry, sdkExporter: { url?: string } | undefined, log: Logger) {
  const sdkUp = sdkExporter
    ? new Gauge({
        name: 'worker_sdk_metrics_up',
        help: 'Whether this scrape includes the Temporal SDK metrics (1) or not (0).',
        registers: [registry],
      })
    : undefined;
  return async () => {
    let sdkText = '';
    if (sdkExporter?.url) {
      try {
        const response = await fetch(sdkExporter.url, { signal: AbortSignal.timeout(2000) });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        sdkText = await response.text();
      } catch (err) {
        log.warn({ err, url: sdkExporter.url }, 'Temporal SDK metrics unavailable');
      }
    }
    sdkUp?.set(sdkText ? 1 : 0);
    const own = await registry.metrics();
    return { status: 200, contentType: registry.contentType, body: sdkText ? `${own}\n${sdkText.trimEnd()}\n` : own };
  };
}
