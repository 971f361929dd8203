/**
 * The demo page's charts, as data: pure functions from the gateway's OperatorStats (and the
 * inventory's items, polled) to the series the charts draw. No DOM here; the chart component
 * only hands these to uPlot.
 */

import type { OperatorStats, StatsBucket } from '../../../shared/contract/operator';
import type { ChaosState, InventoryItem } from './types';

/** The seed's dashboard turns a latency red from 1 s on: the latency chart always shows that line. */
export const LATENCY_THRESHOLD_MS = 1_000;
/** The stock chart draws at most this many items, the ones that moved most (the e2e run has dozens of test items). */
export const MAX_STOCK_SERIES = 8;

export interface Series {
  label: string;
  values: (number | null)[];
}

export interface ChartData {
  /** Bucket starts, epoch seconds (uPlot's time unit). */
  x: number[];
  series: Series[];
  /** The highest value drawn, null when there is none. */
  max: number | null;
  /** The x axis' span, epoch seconds, when the data alone would not give a sensible one (a single point). */
  xRange?: [number, number];
}

/** What the page polls (routes/demo.stats.ts): each part null when its service did not answer, with the reason. */
export interface OperatorSnapshot {
  /** When the dashboard's server took it, epoch ms. */
  at: number;
  stats: OperatorStats | null;
  statsError: string | null;
  items: InventoryItem[] | null;
  itemsError: string | null;
  chaos: ChaosState | null;
  chaosError: string | null;
}

export interface StockPoint {
  /** epoch ms */
  t: number;
  stock: Record<string, number>;
}

/** What the page shows: the newest answer of each service, kept while it is down, and the stock seen so far. */
export interface OperatorView {
  at: number;
  stats: OperatorStats | null;
  /** When `stats` was taken: the newest bucket is still filling until then. */
  statsAt: number | null;
  statsError: string | null;
  items: InventoryItem[] | null;
  itemsError: string | null;
  chaos: ChaosState | null;
  chaosError: string | null;
  stock: StockPoint[];
}

const round = (value: number, decimals: number) => {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
};

function maxOf(series: Series[]): number | null {
  let max: number | null = null;
  for (const { values } of series) for (const value of values) if (value !== null && (max === null || value > max)) max = value;
  return max;
}

/**
 * The buckets in time order, without the one still filling at `nowMs` (its counts are partial:
 * drawn, it would always look like a drop at the right edge).
 */
export function completeBuckets(stats: OperatorStats, nowMs: number): StatsBucket[] {
  return [...stats.buckets].sort((a, b) => a.t - b.t).filter((bucket) => bucket.t + stats.bucket_ms <= nowMs);
}

const xs = (buckets: StatsBucket[]) => buckets.map((bucket) => bucket.t / 1000);

function chart(buckets: StatsBucket[], series: Series[]): ChartData {
  return { x: xs(buckets), series, max: maxOf(series) };
}

/** Orders per second that reached each final status: a bucket's count over its length. */
export function throughputChart(buckets: StatsBucket[], bucketMs: number): ChartData {
  const perSecond = (count: number) => round(count / (bucketMs / 1000), 2);
  return chart(buckets, [
    { label: 'Confirmed', values: buckets.map((bucket) => perSecond(bucket.confirmed)) },
    { label: 'Failed', values: buckets.map((bucket) => perSecond(bucket.failed)) },
    { label: 'Cancelled', values: buckets.map((bucket) => perSecond(bucket.cancelled)) },
  ]);
}

export interface LatencyChart extends ChartData {
  /** The highest p95 drawn (accepting or end to end), null when nothing was measured. */
  maxP95: number | null;
  /** The y axis' span: always up to past the 1 s line, so that line is always on screen. */
  yMax: number;
}

/** The y axis' top: 20 % above the 1 s line at least, else 10 % above the highest value, to a round 100 ms. */
export function latencyYMax(max: number | null): number {
  const top = Math.max(LATENCY_THRESHOLD_MS * 1.2, (max ?? 0) * 1.1);
  return Math.ceil(top / 100) * 100;
}

/** Accept and end-to-end p50/p95 in ms, gaps where a bucket measured nothing, and the 1 s line. */
export function latencyChart(buckets: StatsBucket[]): LatencyChart {
  const ms = (pick: (bucket: StatsBucket) => number | null) =>
    buckets.map((bucket) => (pick(bucket) === null ? null : round(pick(bucket)!, 1)));
  const p95 = [
    { label: 'Accept p95', values: ms((bucket) => bucket.accept_p95_ms) },
    { label: 'End-to-end p95', values: ms((bucket) => bucket.end_to_end_p95_ms) },
  ];
  const series = [
    { label: 'Accept p50', values: ms((bucket) => bucket.accept_p50_ms) },
    p95[0]!,
    { label: 'End-to-end p50', values: ms((bucket) => bucket.end_to_end_p50_ms) },
    p95[1]!,
    { label: '1 s (red on the overview)', values: buckets.map(() => LATENCY_THRESHOLD_MS) },
  ];
  const maxP95 = maxOf(p95);
  return { x: xs(buckets), series, max: maxOf(series.slice(0, 4)), maxP95, yMax: latencyYMax(maxOf(series.slice(0, 4))) };
}

/** Orders accepted and not yet final at the end of each bucket. */
export function backlogChart(buckets: StatsBucket[]): ChartData {
  return chart(buckets, [{ label: 'Backlog', values: buckets.map((bucket) => bucket.backlog) }]);
}

/** Reservation retries and lines whose inventory call failed, of the orders settled in each bucket. */
export function inventoryChart(buckets: StatsBucket[]): ChartData {
  return chart(buckets, [
    { label: 'Retries', values: buckets.map((bucket) => bucket.inventory_retries) },
    { label: 'Failures', values: buckets.map((bucket) => bucket.inventory_failures) },
  ]);
}

/** Adds the items' stock as seen at `at` and forgets what is older than the stats' window. */
export function recordStock(history: StockPoint[], at: number, items: InventoryItem[], windowMs: number): StockPoint[] {
  const point = { t: at, stock: Object.fromEntries(items.map((item) => [item.item_id, item.stock])) };
  return [...history.filter((entry) => entry.t < at && entry.t > at - windowMs), point];
}

/**
 * Stock per item over the polls seen since the page opened. A series (not bars of the current
 * stock) because the demo's story is a trend: stock drains while the load runs, stalls under
 * chaos latency, comes back on a cancel. Only the MAX_STOCK_SERIES items that moved most are
 * drawn (then by id), so a catalogue of dozens stays legible; an item missing from a poll is a gap.
 */
export function stockChart(history: StockPoint[], windowMs: number, maxSeries = MAX_STOCK_SERIES): ChartData {
  const ranges = new Map<string, { min: number; max: number }>();
  for (const point of history)
    for (const [id, stock] of Object.entries(point.stock)) {
      const range = ranges.get(id);
      ranges.set(id, range ? { min: Math.min(range.min, stock), max: Math.max(range.max, stock) } : { min: stock, max: stock });
    }
  const moved = (id: string) => ranges.get(id)!.max - ranges.get(id)!.min;
  const ids = [...ranges.keys()].sort((a, b) => moved(b) - moved(a) || a.localeCompare(b)).slice(0, maxSeries);
  ids.sort((a, b) => a.localeCompare(b));
  const series = ids.map((id) => ({ label: id, values: history.map((point) => point.stock[id] ?? null) }));
  const last = history.at(-1);
  // The same span as the other charts from the first poll on, so one point is not stretched over years.
  const xRange: [number, number] | undefined = last ? [(last.t - windowMs) / 1000, last.t / 1000] : undefined;
  return { x: history.map((point) => point.t / 1000), series, max: maxOf(series), ...(xRange ? { xRange } : {}) };
}

/**
 * Folds a polled snapshot into what the page shows. Snapshots can arrive out of order (the
 * loader's after an action, the poller's): an older one is ignored. A service that did not
 * answer keeps its last data on screen, with the reason beside it.
 */
export function accumulate(view: OperatorView | undefined, snapshot: OperatorSnapshot, windowMs: number): OperatorView {
  if (view && snapshot.at <= view.at) return view;
  return {
    at: snapshot.at,
    stats: snapshot.stats ?? view?.stats ?? null,
    statsAt: snapshot.stats ? snapshot.at : (view?.statsAt ?? null),
    statsError: snapshot.statsError,
    items: snapshot.items ?? view?.items ?? null,
    itemsError: snapshot.itemsError,
    chaos: snapshot.chaos ?? view?.chaos ?? null,
    chaosError: snapshot.chaosError,
    stock: snapshot.items ? recordStock(view?.stock ?? [], snapshot.at, snapshot.items, windowMs) : (view?.stock ?? []),
  };
}

/** A number for a data attribute: '' when there is none. */
export const attr = (value: number | null) => (value === null ? '' : String(value));
