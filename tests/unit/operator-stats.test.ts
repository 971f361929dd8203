import { describe, expect, it } from 'vitest';
import { bucketize } from '../../api/gateway/operator/stats';
import type { OrderActivity } from '../../shared/order-records';

const now = Date.parse('2026-12-03T12:00:02.500Z');
const at = (secondsAgo: number) => new Date(now - secondsAgo * 1000);
const order = (status: OrderActivity['status'], created: number, settled?: number, extra: Partial<OrderActivity> = {}): OrderActivity => ({
  status,
  createdAt: at(created),
  settledAt: settled === undefined ? null : at(settled),
  retries: 0,
  failures: 0,
  ...extra,
});

describe('operator stats buckets', () => {
  it('has 24 buckets of 5 s, the newest holding now', () => {
    const buckets = bucketize(now, [], 0, []);
    expect(buckets).toHaveLength(24);
    expect(buckets.at(-1)!.t).toBe(Date.parse('2026-12-03T12:00:00Z'));
    expect(buckets[0]!.t).toBe(Date.parse('2026-12-03T11:58:05Z'));
    expect(buckets.every((bucket) => bucket.accept_p95_ms === null && bucket.backlog === 0)).toBe(true);
  });

  it('counts settled orders by status in the bucket they settled in, with end-to-end percentiles and retries', () => {
    const buckets = bucketize(
      now,
      [
        order('CONFIRMED', 1.4, 1, { retries: 2 }),
        order('CONFIRMED', 2.4, 2),
        order('FAILED', 13, 11, { failures: 1 }),
        order('CANCELLED', 300, 1),
      ],
      0,
      [],
    );
    const last = buckets.at(-1)!;
    expect([last.confirmed, last.failed, last.cancelled]).toEqual([2, 0, 1]);
    expect(last.end_to_end_p50_ms).toBe(400);
    expect(last.end_to_end_p95_ms).toBe(299_000);
    expect(last.inventory_retries).toBe(2);
    const earlier = buckets.at(-3)!;
    expect([earlier.failed, earlier.inventory_failures, earlier.end_to_end_p50_ms]).toEqual([1, 1, 2000]);
  });

  it('rebuilds the backlog at each bucket end from the open count now', () => {
    // Open now: two (one created 30 s ago, one 1 s ago). One created 20 s ago settled 3 s ago.
    const activity = [order('PENDING', 30), order('PENDING', 1), order('CONFIRMED', 20, 3)];
    const buckets = bucketize(now, activity, 2, []);
    const backlogAt = (secondsAgo: number) => buckets.find((bucket) => bucket.t + 5000 >= now - secondsAgo * 1000)!.backlog;
    expect(buckets.at(-1)!.backlog).toBe(2);
    expect(backlogAt(10)).toBe(2); // the 30 s one and the 20 s one, not yet settled
    expect(backlogAt(25)).toBe(1);
    expect(buckets[0]!.backlog).toBe(0);
  });

  it('takes accept percentiles from the samples in each bucket', () => {
    const samples = [10, 20, 30, 40, 1000].map((ms) => ({ at: now - 1000, ms }));
    const last = bucketize(now, [], 0, [...samples, { at: now - 200_000, ms: 5 }]).at(-1)!;
    expect([last.accept_p50_ms, last.accept_p95_ms]).toEqual([30, 1000]);
  });
});
