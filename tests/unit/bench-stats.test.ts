import { describe, expect, it } from 'vitest';
import { bestRate, distribution, judgeStep, nextRate, percentile, roundRate, slope, type RateSearch, type StepMeasurement } from '../../bench/stats';

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

  it('tolerates up to 1% lost requests', () => {
    expect(judgeStep(steady({ errors: 10, dropped: 10 })).sustained).toBe(true);
  });
});

describe('nextRate', () => {
  const search: RateSearch = { start: 50, growth: 1.5, max: 1000, maxSteps: 8, resolution: 0.1 };

  it('starts at the start rate and grows while every step is sustained', () => {
    expect(nextRate(search, [])).toBe(50);
    expect(nextRate(search, [{ rate: 50, sustained: true }])).toBe(75);
    expect(nextRate(search, [{ rate: 50, sustained: true }, { rate: 75, sustained: true }])).toBe(115);
  });

  it('bisects between the best sustained and the lowest failed rate', () => {
    const history = [
      { rate: 50, sustained: true },
      { rate: 75, sustained: true },
      { rate: 115, sustained: false },
    ];
    expect(nextRate(search, history)).toBe(95);
    expect(nextRate(search, [...history, { rate: 95, sustained: false }])).toBe(85);
  });

  it('bisects below the start when the first rate already fails', () => {
    expect(nextRate(search, [{ rate: 50, sustained: false }])).toBe(25);
  });

  it('stops when the bracket is narrow, the maximum is reached or steps run out', () => {
    expect(nextRate(search, [{ rate: 100, sustained: true }, { rate: 105, sustained: false }])).toBeUndefined();
    expect(nextRate({ ...search, max: 75 }, [{ rate: 50, sustained: true }, { rate: 75, sustained: true }])).toBeUndefined();
    expect(nextRate({ ...search, maxSteps: 1 }, [{ rate: 50, sustained: true }])).toBeUndefined();
  });

  it('bestRate is the highest sustained rate, 0 when none', () => {
    expect(bestRate([{ rate: 50, sustained: true }, { rate: 75, sustained: false }, { rate: 60, sustained: true }])).toBe(60);
    expect(bestRate([{ rate: 50, sustained: false }])).toBe(0);
  });

  it('rounds rates above 20/s to multiples of 5', () => {
    expect(roundRate(112.5)).toBe(115);
    expect(roundRate(111)).toBe(110);
    expect(roundRate(13.4)).toBe(13);
    expect(roundRate(0.2)).toBe(1);
  });
});
