import type { OrderLoadResult } from '../order-load';
import type { LoadThresholds } from './scenario';

export interface ThresholdCheck {
  name: string;
  limit: number;
  actual: number;
  unit: '%' | 'ms';
  ok: boolean;
}

/** Each threshold against a run's result; a run with no accepted order has no latency to pass. */
export function checkThresholds(result: OrderLoadResult, thresholds: LoadThresholds): ThresholdCheck[] {
  const notAccepted = result.failed + result.dropped;
  const errorRate = result.planned === 0 ? 1 : notAccepted / result.planned;
  const latency = (name: string, limit: number, actual: number): ThresholdCheck => ({
    name,
    limit,
    actual,
    unit: 'ms',
    ok: result.ok > 0 && actual <= limit,
  });
  return [
    {
      name: 'error rate',
      limit: thresholds.maxErrorRate * 100,
      actual: errorRate * 100,
      unit: '%',
      ok: errorRate <= thresholds.maxErrorRate,
    },
    latency('accept p95', thresholds.p95Ms, result.latency.p95),
    latency('accept p99', thresholds.p99Ms, result.latency.p99),
  ];
}
