import { DEMO_ITEMS } from '../../api/inventory/seed';

/**
 * The standalone load test's scenario (`npm run load`): the seed's `k6 run --vus 100 --duration
 * 30s` as an open model. A constant arrival rate, each order with a fresh Idempotency-Key,
 * 30% of them with 2-4 lines, against the demo catalogue; every option overrides one field.
 */
export interface LoadScenario {
  /** Orders per second, whatever the answers' latency (open model). */
  rate: number;
  durationS: number;
  /** Share of orders with 2-4 lines; the rest have one. */
  multiShare: number;
  items: readonly string[];
  thresholds: LoadThresholds;
}

export interface LoadThresholds {
  /** Share of planned orders not accepted (non-2xx, no answer, or dropped past the in-flight cap). */
  maxErrorRate: number;
  /** Latency of POST /api/orders until its 201/202, in ms. */
  p95Ms: number;
  p99Ms: number;
}

export const DEFAULT_SCENARIO: LoadScenario = {
  rate: 20,
  durationS: 30,
  multiShare: 0.3,
  items: DEMO_ITEMS.map((item) => item.itemId),
  // The seed's dashboard turns red at 1 s; accepting an order should take a fraction of that.
  thresholds: { maxErrorRate: 0.01, p95Ms: 250, p99Ms: 500 },
};
