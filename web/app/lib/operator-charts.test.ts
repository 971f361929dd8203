import { describe, expect, it } from 'vitest';
import type { OperatorStats, StatsBucket } from '../../../shared/contract/operator';
import { BUCKET_MS, statsBucket } from '../test-support/stats-bucket';
import {
  LATENCY_THRESHOLD_MS,
  accumulate,
  backlogChart,
  completeBuckets,
  inventoryChart,
  latencyChart,
  latencyYMax,
  recordStock,
  stockChart,
  throughputChart,
  type OperatorSnapshot,
} from './operator-charts';
import type { InventoryItem } from './types';

const T0 = Date.UTC(2026, 10, 25, 12, 0, 0);

const bucket = (i: number, fields: Partial<StatsBucket> = {}): StatsBucket => statsBucket(T0 + i * BUCKET_MS, fields);

const LOAD_IDLE = { running: false, rate: 0, duration_s: 0, started_at: null, ends_at: null, placed: 0, failed: 0 };

function stats(buckets: StatsBucket[]): OperatorStats {
  return { window_ms: 120_000, bucket_ms: BUCKET_MS, buckets, load: LOAD_IDLE };
}

function item(item_id: string, stock: number): InventoryItem {
  return { item_id, name: item_id, stock, reserved: 0, initial_stock: stock, restocked: 0, updated_at: new Date(T0).toISOString() };
}

function snapshot(at: number, fields: Partial<OperatorSnapshot> = {}): OperatorSnapshot {
  return { at, stats: null, statsError: null, items: null, itemsError: null, chaos: null, chaosError: null, ...fields };
}

describe('completeBuckets', () => {
  it('sorts by time and leaves out the bucket still filling', () => {
    const s = stats([bucket(2), bucket(0), bucket(1)]);
    // At T0 + 12 s, bucket 2 (10-15 s) is still filling.
    expect(completeBuckets(s, T0 + 12_000).map((b) => b.t)).toEqual([T0, T0 + 5_000]);
    // At its end exactly, it is complete.
    expect(completeBuckets(s, T0 + 15_000).map((b) => b.t)).toEqual([T0, T0 + 5_000, T0 + 10_000]);
  });
});

describe('throughputChart', () => {
  it('turns counts per bucket into orders per second, one series per final status, times in epoch seconds', () => {
    const chart = throughputChart([bucket(0, { confirmed: 16, failed: 1 }), bucket(1, { confirmed: 7, cancelled: 2 })], BUCKET_MS);
    expect(chart.x).toEqual([T0 / 1000, T0 / 1000 + 5]);
    expect(chart.series).toEqual([
      { label: 'Confirmed', values: [3.2, 1.4] },
      { label: 'Failed', values: [0.2, 0] },
      { label: 'Cancelled', values: [0, 0.4] },
    ]);
    expect(chart.max).toBe(3.2);
  });

  it('divides by the bucket’s own length and rounds to two decimals', () => {
    expect(throughputChart([bucket(0, { confirmed: 1 })], 3_000).series[0]!.values).toEqual([0.33]);
  });

  it('has no maximum without buckets, and 0 when nothing happened', () => {
    expect(throughputChart([], BUCKET_MS)).toEqual({ x: [], series: expect.any(Array), max: null });
    expect(throughputChart([bucket(0)], BUCKET_MS).max).toBe(0);
  });
});

describe('latencyChart', () => {
  it('keeps gaps (null) where a bucket measured nothing, and reports the highest p95 shown', () => {
    const chart = latencyChart([
      bucket(0, { accept_p50_ms: 12.34, accept_p95_ms: 40, end_to_end_p50_ms: 300, end_to_end_p95_ms: 900 }),
      bucket(1),
      bucket(2, { accept_p50_ms: 15, accept_p95_ms: 55, end_to_end_p50_ms: 5_200, end_to_end_p95_ms: 5_480.26 }),
    ]);
    expect(chart.series.map((series) => series.label)).toEqual([
      'Accept p50',
      'Accept p95',
      'End-to-end p50',
      'End-to-end p95',
      '1 s (red on the overview)',
    ]);
    expect(chart.series[0]!.values).toEqual([12.3, null, 15]);
    expect(chart.series[3]!.values).toEqual([900, null, 5_480.3]);
    expect(chart.maxP95).toBe(5_480.3);
    expect(chart.yMax).toBe(6_100);
  });

  it('draws the 1 s line across every bucket, gaps or not', () => {
    const chart = latencyChart([bucket(0), bucket(1, { accept_p95_ms: 20 })]);
    expect(chart.series[4]!.values).toEqual([LATENCY_THRESHOLD_MS, LATENCY_THRESHOLD_MS]);
  });

  it('has no p95 when nothing was measured: the threshold line is not a measurement', () => {
    const chart = latencyChart([bucket(0), bucket(1)]);
    expect(chart.maxP95).toBeNull();
    expect(chart.max).toBeNull();
  });

  it('takes the higher of the accept and end-to-end p95', () => {
    expect(latencyChart([bucket(0, { accept_p95_ms: 1_500, end_to_end_p95_ms: 800 })]).maxP95).toBe(1_500);
  });
});

describe('latencyYMax', () => {
  it('keeps the 1 s line in view when everything is fast, or when nothing was measured', () => {
    expect(latencyYMax(null)).toBe(1_200);
    expect(latencyYMax(35)).toBe(1_200);
    expect(latencyYMax(1_000)).toBeGreaterThan(LATENCY_THRESHOLD_MS);
  });

  it('leaves room above a slow p95, to a round 100 ms', () => {
    expect(latencyYMax(5_480)).toBe(6_100);
    expect(latencyYMax(1_200)).toBe(1_400);
  });
});

describe('backlog and inventory charts', () => {
  it('draw the counts per bucket as they are', () => {
    const buckets = [bucket(0, { backlog: 4, inventory_retries: 3, inventory_failures: 1 }), bucket(1, { backlog: 9 })];
    expect(backlogChart(buckets)).toEqual({ x: [T0 / 1000, T0 / 1000 + 5], series: [{ label: 'Backlog', values: [4, 9] }], max: 9 });
    expect(inventoryChart(buckets).series).toEqual([
      { label: 'Retries', values: [3, 0] },
      { label: 'Failures', values: [1, 0] },
    ]);
    expect(inventoryChart(buckets).max).toBe(3);
  });
});

describe('stock', () => {
  it('accumulates the stock seen at each poll and forgets what left the window', () => {
    let history = recordStock([], T0, [item('ps5', 10)], 120_000);
    history = recordStock(history, T0 + 60_000, [item('ps5', 8)], 120_000);
    history = recordStock(history, T0 + 130_000, [item('ps5', 5), item('xbox', 3)], 120_000);
    expect(history).toEqual([
      { t: T0 + 60_000, stock: { ps5: 8 } },
      { t: T0 + 130_000, stock: { ps5: 5, xbox: 3 } },
    ]);
    const chart = stockChart(history, 120_000);
    expect(chart.x).toEqual([(T0 + 60_000) / 1000, (T0 + 130_000) / 1000]);
    expect(chart.xRange).toEqual([(T0 + 10_000) / 1000, (T0 + 130_000) / 1000]);
    // An item not seen at a poll is a gap.
    expect(chart.series).toEqual([
      { label: 'ps5', values: [8, 5] },
      { label: 'xbox', values: [null, 3] },
    ]);
    expect(chart.max).toBe(8);
  });

  it('draws only the items that moved most, in id order', () => {
    const history = [
      { t: T0, stock: { a: 10, b: 10, c: 10, d: 10 } },
      { t: T0 + 2_000, stock: { a: 10, b: 4, c: 9, d: 1 } },
    ];
    expect(stockChart(history, 120_000, 2).series.map((series) => series.label)).toEqual(['b', 'd']);
  });

  it('spans the window even with a single point, and nothing without one', () => {
    expect(stockChart([{ t: T0, stock: { a: 1 } }], 120_000).xRange).toEqual([T0 / 1000 - 120, T0 / 1000]);
    expect(stockChart([], 120_000)).toEqual({ x: [], series: [], max: null });
  });
});

describe('accumulate', () => {
  const WINDOW = 120_000;

  it('keeps the last stats while the gateway is down, with the reason, and resumes after', () => {
    const first = accumulate(undefined, snapshot(T0, { stats: stats([bucket(0, { confirmed: 5 })]) }), WINDOW);
    const down = accumulate(first, snapshot(T0 + 2_000, { statsError: 'The gateway is not answering: connection refused.' }), WINDOW);
    expect(down.stats).toBe(first.stats);
    expect(down.statsAt).toBe(T0);
    expect(down.statsError).toBe('The gateway is not answering: connection refused.');
    const back = accumulate(down, snapshot(T0 + 4_000, { stats: stats([]) }), WINDOW);
    expect(back.statsError).toBeNull();
    expect(back.statsAt).toBe(T0 + 4_000);
  });

  it('ignores a snapshot older than the one shown (the loader’s and the poller’s can cross)', () => {
    const newer = accumulate(undefined, snapshot(T0 + 2_000, { items: [item('ps5', 3)] }), WINDOW);
    expect(accumulate(newer, snapshot(T0, { items: [item('ps5', 9)] }), WINDOW)).toBe(newer);
  });

  it('adds a stock point only when the items were listed', () => {
    let view = accumulate(undefined, snapshot(T0, { items: [item('ps5', 3)] }), WINDOW);
    view = accumulate(view, snapshot(T0 + 2_000, { itemsError: 'no answer within 2 s' }), WINDOW);
    expect(view.stock).toHaveLength(1);
    expect(view.items?.[0]?.stock).toBe(3);
    expect(view.itemsError).toBe('no answer within 2 s');
  });
});
