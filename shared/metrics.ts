import { Registry, collectDefaultMetrics } from 'prom-client';

/**
 * What every process's Prometheus metrics share. Every app gets its own Registry (passed in its
 * deps), so several apps can live in one process (tests) without clashing registrations.
 */

/** Latency buckets with an edge at exactly 1 s: the threshold where dashboards turn red. */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 10, 30, 60];

/** A registry whose series all carry `service`; with process metrics in the real processes. */
export function createMetricsRegistry(service: string, options: { processMetrics?: boolean } = {}): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  if (options.processMetrics) collectDefaultMetrics({ register: registry });
  return registry;
}
