import { describe, expect, it } from 'vitest';
import { checkThresholds } from '../../bench/load/thresholds';
import type { OrderLoadResult } from '../../bench/order-load';

const thresholds = { maxErrorRate: 0.01, p95Ms: 250, p99Ms: 500 };
const run = (overrides: Partial<OrderLoadResult>): OrderLoadResult => ({
  planned: 600,
  ok: 600,
  failed: 0,
  dropped: 0,
  replayMismatch: 0,
  latency: { p50: 10, p95: 40, p99: 90, max: 120 },
  ...overrides,
});
const failing = (result: OrderLoadResult) =>
  checkThresholds(result, thresholds)
    .filter((check) => !check.ok)
    .map((check) => check.name);

describe('load test thresholds', () => {
  it('passes a run within every threshold', () => {
    expect(failing(run({}))).toEqual([]);
  });

  it('counts failed and dropped orders as errors, against the planned total', () => {
    expect(failing(run({ ok: 594, failed: 3, dropped: 3 }))).toEqual([]);
    expect(failing(run({ ok: 593, failed: 4, dropped: 3 }))).toEqual(['error rate']);
    expect(checkThresholds(run({ ok: 593, failed: 4, dropped: 3 }), thresholds)[0]!.actual).toBeCloseTo(100 * (7 / 600));
  });

  it('fails each latency over its limit', () => {
    expect(failing(run({ latency: { p50: 10, p95: 251, p99: 300, max: 400 } }))).toEqual(['accept p95']);
    expect(failing(run({ latency: { p50: 10, p95: 200, p99: 501, max: 900 } }))).toEqual(['accept p99']);
  });

  it('fails a run that accepted nothing, latencies included (no answer is not fast)', () => {
    const nan = { p50: Number.NaN, p95: Number.NaN, p99: Number.NaN, max: Number.NaN };
    expect(failing(run({ ok: 0, failed: 600, latency: nan }))).toEqual(['error rate', 'accept p95', 'accept p99']);
    expect(failing(run({ planned: 0, ok: 0, latency: nan }))).toEqual(['error rate', 'accept p95', 'accept p99']);
  });
});
