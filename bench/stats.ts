/** Pure helpers of the bench: percentiles, backlog trend, and the rate-stepping decision. */

export interface Distribution {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Percentile with linear interpolation between closest ranks (what numpy reports). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = (p / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  const lowValue = sorted[low]!;
  return lowValue + (sorted[high]! - lowValue) * (rank - low);
}

export function distribution(values: readonly number[]): Distribution {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1]! : Number.NaN,
  };
}

export interface Sample {
  /** Seconds since the step started. */
  t: number;
  value: number;
}

/** Least-squares slope, in value units per second; 0 with fewer than two samples. */
export function slope(samples: readonly Sample[]): number {
  const n = samples.length;
  if (n < 2) return 0;
  const meanT = samples.reduce((sum, s) => sum + s.t, 0) / n;
  const meanV = samples.reduce((sum, s) => sum + s.value, 0) / n;
  let numerator = 0;
  let denominator = 0;
  for (const s of samples) {
    numerator += (s.t - meanT) * (s.value - meanV);
    denominator += (s.t - meanT) ** 2;
  }
  return denominator === 0 ? 0 : numerator / denominator;
}

export interface StepMeasurement {
  /** Offered arrival rate, per second. */
  rate: number;
  /** Requests the load generator planned to send. */
  planned: number;
  /** Requests it could not send on schedule (all its senders were busy). */
  dropped: number;
  /** Requests answered with an error. */
  errors: number;
  /** Completions per second over the step's steady part. */
  completedRate: number;
  /** Backlog (accepted, not yet terminal) over the step. */
  backlog: readonly Sample[];
}

export interface StepVerdict {
  sustained: boolean;
  /** Backlog growth over the step's second half, per second. */
  backlogSlope: number;
  reasons: string[];
}

/** How far from perfect a step may be and still count as sustained. */
const SUSTAIN_TOLERANCE = {
  /** Share of requests that may fail or be dropped. */
  lostShare: 0.01,
  /** Completions must keep up with arrivals to this share. */
  completedShare: 0.95,
  /** Backlog may grow by this share of the arrival rate per second, no more... */
  backlogGrowthShare: 0.05,
  /** ...or by this many orders over the judged half of the step: sampling noise, which short steps feel most. */
  backlogNoise: 5,
} as const;

/**
 * A rate is sustained when nearly every request was sent and answered, completions keep pace
 * with arrivals, and the backlog stays flat (its trend over the second half, after the ramp-up
 * of in-flight work, grows by no more than a few percent of the rate).
 */
export function judgeStep(step: StepMeasurement): StepVerdict {
  const reasons: string[] = [];
  const { lostShare, completedShare, backlogGrowthShare, backlogNoise } = SUSTAIN_TOLERANCE;
  if (step.errors > step.planned * lostShare) reasons.push(`${step.errors} errors`);
  if (step.dropped > step.planned * lostShare) reasons.push(`${step.dropped} requests not sent on time`);
  if (step.completedRate < step.rate * completedShare) {
    reasons.push(`completed ${step.completedRate.toFixed(1)}/s < ${(step.rate * completedShare).toFixed(1)}/s`);
  }
  const last = step.backlog.at(-1)?.t ?? 0;
  const backlogSlope = slope(step.backlog.filter((s) => s.t >= last / 2));
  const allowed = Math.max(step.rate * backlogGrowthShare, backlogNoise / Math.max(last / 2, 1));
  if (backlogSlope > allowed) reasons.push(`backlog grows ${backlogSlope.toFixed(1)}/s`);
  return { sustained: reasons.length === 0, backlogSlope, reasons };
}

export interface RateSearch {
  start: number;
  /** Rates go up by this factor while every step is sustained. */
  growth: number;
  max: number;
  maxSteps: number;
  /** Stop bisecting when the bracket is narrower than this share of its lower end. */
  resolution: number;
}

export interface StepOutcome {
  rate: number;
  sustained: boolean;
  /**
   * Completions per second over the whole busy period (load and drain). An overloaded stack
   * works flat out all along it, so for a failed step this is about the capacity.
   */
  busyRate: number;
}

/** The highest sustained rate so far (0 when none). */
export function bestRate(history: readonly StepOutcome[]): number {
  return history.filter((s) => s.sustained).reduce((best, s) => Math.max(best, s.rate), 0);
}

/** The rate to hold for the sustained run: the best sustained one, else just below what the steps completed. */
export function holdRate(history: readonly StepOutcome[]): number {
  return bestRate(history) || capacityHint(history.filter((s) => !s.sustained));
}

/** After a sustained run failed at `rate`: the next lower rate to hold (about 10% less), or undefined at the bottom. */
export function lowerHoldRate(rate: number): number | undefined {
  const lower = roundRate(Math.min(rate * 0.9, rate - 1), 'down');
  return lower < rate ? lower : undefined;
}

/**
 * The next rate to try, or undefined when the search is done: grow geometrically until a rate
 * fails; then aim just below what the overloaded step managed to complete (about the capacity),
 * then bisect between the best sustained and the lowest failed rate.
 */
export function nextRate(search: RateSearch, history: readonly StepOutcome[]): number | undefined {
  if (history.length === 0) return search.start;
  if (history.length >= search.maxSteps) return undefined;
  const low = bestRate(history);
  const failed = history.filter((s) => !s.sustained);
  if (failed.length === 0) {
    if (low >= search.max) return undefined;
    return Math.min(search.max, roundRate(low * search.growth));
  }
  const high = Math.min(...failed.map((s) => s.rate));
  if (high - low <= Math.max(1, low * search.resolution)) return undefined;
  const tried = new Set(history.map((s) => s.rate));
  const fresh = (rate: number) => rate > low && rate < high && !tried.has(rate);
  const hint = capacityHint(failed);
  if (fresh(hint)) return hint;
  const middle = roundRate((low + high) / 2);
  return fresh(middle) ? middle : undefined;
}

/** Rates above 20/s are kept to multiples of 5, which read better in a table. */
export function roundRate(rate: number, direction: 'nearest' | 'down' = 'nearest'): number {
  const round = direction === 'down' ? Math.floor : Math.round;
  return rate > 20 ? round(rate / 5) * 5 : Math.max(1, round(rate));
}

/** Just below what overloaded steps managed to complete: about the capacity, with a margin. */
function capacityHint(history: readonly StepOutcome[]): number {
  return roundRate(0.9 * Math.max(0, ...history.map((s) => s.busyRate)), 'down');
}
