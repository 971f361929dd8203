import { describe, expect, it } from 'vitest';
import {
  bestRate,
  distribution,
  holdRate,
  judgeStep,
  lowerHoldRate,
  nextRate,
  percentile,
  roundRate,
  slope,
  type RateSearch,
  type StepMeasurement,
} from '../../bench/stats';

describe('percentile', () => {
  it('interpolates between closest ranks', () => {
    const sorted = [10, 20, 30, 40];
    expect(percentile(sorted, 0)).toBe(10);
    expect(percentile(sorted, 50)).toBe(25);
    expect(percentile(sorted, 100)).toBe(40);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 90)).toBeCloseTo(10);
  });

  it('is NaN without values', () => {
    expect(percentile([], 99)).toBeNaN();
  });

  it('distribution sorts its input and reports count and max', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(distribution(values)).toEqual({ count: 100, p50: 50.5, p95: 95.05, p99: 99.01, max: 100 });
    expect(values[0]).toBe(100);
  });
});

describe('slope', () => {
  it('fits a straight line', () => {
    expect(slope([0, 1, 2, 3].map((t) => ({ t, value: 5 + 3 * t })))).toBeCloseTo(3);
  });

  it('is 0 for a flat or too short series', () => {
    expect(slope([0, 1, 2].map((t) => ({ t, value: 7 })))).toBe(0);
    expect(slope([{ t: 0, value: 1 }])).toBe(0);
  });
});

describe('judgeStep', () => {
  const steady = (overrides: Partial<StepMeasurement> = {}): StepMeasurement => ({
    rate: 100,
    planned: 2000,
    dropped: 0,
    errors: 0,
    completedRate: 99,
    // Ramp-up during the first seconds, then flat around 30 in flight.
    backlog: Array.from({ length: 20 }, (_, t) => ({ t, value: t < 2 ? 15 * t : 30 + (t % 2) })),
    ...overrides,
  });

  it('accepts a flat backlog that keeps pace with arrivals', () => {
    expect(judgeStep(steady())).toMatchObject({ sustained: true, reasons: [] });
  });

  it('rejects a backlog that keeps growing', () => {
    const verdict = judgeStep(steady({ backlog: Array.from({ length: 20 }, (_, t) => ({ t, value: 20 * t })) }));
    expect(verdict.sustained).toBe(false);
    expect(verdict.backlogSlope).toBeCloseTo(20);
    expect(verdict.reasons).toEqual(['backlog grows 20.0/s']);
  });

  it('rejects errors, requests not sent on time and completions that lag', () => {
    const verdict = judgeStep(steady({ errors: 30, dropped: 25, completedRate: 90 }));
    expect(verdict.sustained).toBe(false);
    expect(verdict.reasons).toEqual(['30 errors', '25 requests not sent on time', 'completed 90.0/s < 95.0/s']);
  });

  it('lets a short step drift by a few orders, a long one by 5% of the rate per second', () => {
    const drifting = (seconds: number, perSecond: number) =>
      Array.from({ length: seconds + 1 }, (_, t) => ({ t, value: 10 + perSecond * t }));
    // 5 s at 20/s: 1.5/s over the last 2.5 s is under 4 orders, noise.
    expect(judgeStep(steady({ rate: 20, completedRate: 20, backlog: drifting(5, 1.5) })).sustained).toBe(true);
    // 60 s at 20/s: the same drift adds up to 45 orders over the second half.
    expect(judgeStep(steady({ rate: 20, completedRate: 20, backlog: drifting(60, 1.5) })).sustained).toBe(false);
  });

  it('tolerates up to 1% lost requests', () => {
    expect(judgeStep(steady({ errors: 10, dropped: 10 })).sustained).toBe(true);
  });
});

describe('nextRate', () => {
  const search: RateSearch = { start: 50, growth: 1.5, max: 1000, maxSteps: 8, resolution: 0.1 };
  const ok = (rate: number) => ({ rate, sustained: true, busyRate: rate * 0.8 });
  const overloaded = (rate: number, busyRate: number) => ({ rate, sustained: false, busyRate });

  it('starts at the start rate and grows while every step is sustained', () => {
    expect(nextRate(search, [])).toBe(50);
    expect(nextRate(search, [ok(50)])).toBe(75);
    expect(nextRate(search, [ok(50), ok(75)])).toBe(115);
  });

  it('after a failure aims just below what the overloaded step completed', () => {
    expect(nextRate(search, [ok(50), ok(75), overloaded(115, 100)])).toBe(90);
    expect(nextRate(search, [overloaded(50, 8.3)])).toBe(7);
  });

  it('bisects when the hint is no use', () => {
    // Completed no more than the best sustained rate: the hint falls outside the bracket.
    expect(nextRate(search, [ok(50), ok(75), overloaded(115, 60)])).toBe(95);
    // The hint was tried already.
    expect(nextRate(search, [ok(50), ok(75), overloaded(115, 100), overloaded(90, 89)])).toBe(85);
  });

  it('stops when the bracket is narrow, the maximum is reached or steps run out', () => {
    expect(nextRate(search, [ok(100), overloaded(105, 90)])).toBeUndefined();
    expect(nextRate({ ...search, max: 75 }, [ok(50), ok(75)])).toBeUndefined();
    expect(nextRate({ ...search, maxSteps: 1 }, [ok(50)])).toBeUndefined();
  });

  it('bestRate is the highest sustained rate, 0 when none', () => {
    expect(bestRate([ok(50), overloaded(75, 70), ok(60)])).toBe(60);
    expect(bestRate([overloaded(50, 8)])).toBe(0);
  });

  it('holds the best sustained rate, else just below what the overloaded steps completed', () => {
    expect(holdRate([ok(50), overloaded(75, 70)])).toBe(50);
    expect(holdRate([overloaded(150, 31), overloaded(40, 28)])).toBe(25);
    expect(holdRate([overloaded(150, 0)])).toBe(1);
  });

  it('after a failed sustained run, holds about 10% lower, and stops at the bottom', () => {
    expect(lowerHoldRate(45)).toBe(40);
    expect(lowerHoldRate(40)).toBe(35);
    expect(lowerHoldRate(12)).toBe(10);
    expect(lowerHoldRate(2)).toBe(1);
    expect(lowerHoldRate(1)).toBeUndefined();
  });

  it('rounds rates above 20/s to multiples of 5', () => {
    expect(roundRate(112.5)).toBe(115);
    expect(roundRate(111)).toBe(110);
    expect(roundRate(13.4)).toBe(13);
    expect(roundRate(0.2)).toBe(1);
    expect(roundRate(29.9, 'down')).toBe(25);
    expect(roundRate(7.9, 'down')).toBe(7);
  });
});
