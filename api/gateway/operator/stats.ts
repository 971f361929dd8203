import { STATS_BUCKET_MS, STATS_WINDOW_MS, type StatsBucket } from '../../../shared/contract/operator';
import type { OrderActivity } from '../../../shared/order-records';

/** POST /api/orders answers of this gateway: when, and how long they took. */
export interface AcceptSample {
  at: number;
  ms: number;
}

const BUCKETS = STATS_WINDOW_MS / STATS_BUCKET_MS;

function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/**
 * The charts' buckets over the last STATS_WINDOW_MS, the newest last (and partial). The backlog
 * at each bucket's end is rebuilt from today's open count: minus orders accepted since that
 * moment and still open, plus those accepted before it and settled since.
 */
export function bucketize(now: number, activity: OrderActivity[], openNow: number, accepts: AcceptSample[]): StatsBucket[] {
  const first = Math.floor(now / STATS_BUCKET_MS) * STATS_BUCKET_MS - (BUCKETS - 1) * STATS_BUCKET_MS;
  const indexOf = (at: number) => Math.floor((at - first) / STATS_BUCKET_MS);
  const buckets = Array.from({ length: BUCKETS }, (_, i) => ({
    t: first + i * STATS_BUCKET_MS,
    counts: { CONFIRMED: 0, FAILED: 0, CANCELLED: 0 } as Record<string, number>,
    endToEnd: [] as number[],
    accepts: [] as number[],
    retries: 0,
    failures: 0,
  }));
  for (const order of activity) {
    const settled = order.settledAt?.getTime();
    if (settled === undefined || settled < first || settled > now) continue;
    const bucket = buckets[indexOf(settled)]!;
    if (order.status in bucket.counts) bucket.counts[order.status]! += 1;
    bucket.endToEnd.push(settled - order.createdAt.getTime());
    bucket.retries += order.retries;
    bucket.failures += order.failures;
  }
  for (const sample of accepts) {
    if (sample.at >= first && sample.at <= now) buckets[indexOf(sample.at)]!.accepts.push(sample.ms);
  }
  return buckets.map((bucket) => {
    const end = Math.min(bucket.t + STATS_BUCKET_MS, now);
    let backlog = openNow;
    for (const order of activity) {
      const created = order.createdAt.getTime();
      const settled = order.settledAt?.getTime();
      const openAtNow = settled === undefined;
      if (created > end && openAtNow) backlog -= 1;
      else if (created <= end && settled !== undefined && settled > end) backlog += 1;
    }
    return {
      t: bucket.t,
      confirmed: bucket.counts.CONFIRMED!,
      failed: bucket.counts.FAILED!,
      cancelled: bucket.counts.CANCELLED!,
      accept_p50_ms: percentile(bucket.accepts, 50),
      accept_p95_ms: percentile(bucket.accepts, 95),
      end_to_end_p50_ms: percentile(bucket.endToEnd, 50),
      end_to_end_p95_ms: percentile(bucket.endToEnd, 95),
      backlog: Math.max(0, backlog),
      inventory_retries: bucket.retries,
      inventory_failures: bucket.failures,
    };
  });
}

/** This gateway's recent accepts, kept for one window. */
export function createAcceptWindow() {
  let samples: AcceptSample[] = [];
  return {
    record(ms: number, at = Date.now()): void {
      samples.push({ at, ms });
      if (samples.length > 1000 && samples[0]!.at < at - STATS_WINDOW_MS)
        samples = samples.filter((sample) => sample.at >= at - STATS_WINDOW_MS);
    },
    recent: (now = Date.now()) => samples.filter((sample) => sample.at >= now - STATS_WINDOW_MS),
  };
}
