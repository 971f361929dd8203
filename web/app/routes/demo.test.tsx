// @vitest-environment jsdom
import { createRemixStub } from '@remix-run/testing';
import { cleanup, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { OperatorStats, StatsBucket } from '../../../shared/contract/operator';
import { BUCKET_MS, statsBucket } from '../test-support/stats-bucket';
import type { OperatorSnapshot } from '../lib/operator-charts';
import Demo from './demo';

/** uPlot draws on a canvas, which jsdom lacks: a stand-in records what each chart was given. */
const plots = vi.hoisted(() => ({ made: [] as { series: string[]; data: unknown[] }[] }));
vi.mock('uplot', () => {
  class FakePlot {
    width: number;
    record: { series: string[]; data: unknown[] };
    constructor(options: { width: number; series: { label?: string }[] }, data: unknown[]) {
      this.width = options.width;
      this.record = { series: options.series.map((series) => series.label ?? ''), data };
      plots.made.push(this.record);
    }
    setData(data: unknown[]) {
      this.record.data = data;
    }
    setSize({ width }: { width: number }) {
      this.width = width;
    }
    destroy() {}
    static tzDate = (date: Date) => date;
  }
  return { default: FakePlot };
});

const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);

const bucket = (i: number, fields: Partial<StatsBucket> = {}): StatsBucket => statsBucket(NOW - (24 - i) * BUCKET_MS, fields);

const STATS: OperatorStats = {
  window_ms: 120_000,
  bucket_ms: BUCKET_MS,
  buckets: [
    bucket(0, { confirmed: 16, failed: 2, accept_p95_ms: 30, end_to_end_p95_ms: 5_400, backlog: 3 }),
    bucket(1, { confirmed: 5, accept_p95_ms: 20, end_to_end_p95_ms: 600 }),
    // Still filling at NOW: left out of the charts.
    bucket(24, { confirmed: 1 }),
  ],
  load: {
    running: true,
    rate: 5,
    duration_s: 60,
    started_at: new Date(NOW - 20_000).toISOString(),
    ends_at: new Date(NOW + 40_000).toISOString(),
    placed: 98,
    failed: 1,
  },
};

const ITEM = { item_id: 'ps5', name: 'PlayStation 5', stock: 480, reserved: 20, initial_stock: 500, restocked: 0, updated_at: '' };
const CHAOS = {
  enabled: true,
  latency_ms: 5000,
  latency_rate: 1,
  crash_rate: 0,
  lost_response_rate: 0,
  kill_rate: 0,
  updated_at: new Date(NOW).toISOString(),
};

const LIMITS = { maxRate: 50, maxDurationS: 600, windowMs: 120_000, defaults: { rate: 5, duration_s: 60, multi_share_percent: 30 } };

class FakeResizeObserver {
  observe() {}
  disconnect() {}
}

beforeEach(() => {
  plots.made = [];
  vi.stubGlobal('ResizeObserver', FakeResizeObserver);
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

function renderDemo(first: OperatorSnapshot, polled: OperatorSnapshot[]) {
  let polls = 0;
  const Stub = createRemixStub([
    { path: '/demo', Component: Demo, loader: () => ({ snapshot: first, limits: LIMITS }) },
    {
      path: '/demo/stats',
      loader: () => {
        polls += 1;
        return polled[Math.min(polls, polled.length) - 1]!;
      },
    },
  ]);
  render(<Stub initialEntries={['/demo']} />);
  return { polls: () => polls };
}

const chart = (name: string) => document.querySelector(`[data-chart="${name}"]`)!;

describe('demo page', () => {
  it('draws the stats, the chaos state and the load, leaving out the bucket still filling', async () => {
    renderDemo({ at: NOW, stats: STATS, statsError: null, items: [ITEM], itemsError: null, chaos: CHAOS, chaosError: null }, []);
    await screen.findByRole('heading', { name: 'Demo' });
    expect(chart('throughput').getAttribute('data-max')).toBe('3.2');
    expect(chart('throughput').getAttribute('data-points')).toBe('2');
    expect(chart('latency').getAttribute('data-max-ms')).toBe('5400');
    expect(chart('latency').getAttribute('data-y-max')).toBe('6000');
    expect(chart('backlog').getAttribute('data-max')).toBe('3');
    expect(chart('stock').getAttribute('data-items')).toBe('1');
    expect(screen.getByTestId('demo-chaos').textContent).toBe('On: 5000 ms latency on 100 % of calls');
    expect(screen.getByTestId('load-status').textContent).toContain('Running: 5 orders/s for 60 s; 98 placed, 1 failed');
    expect(screen.getByRole('button', { name: 'Start load' })).toHaveProperty('disabled', true);
    // Every chart was made in the browser, with its series; the latency chart with its 1 s line.
    await waitFor(() => expect(plots.made).toHaveLength(5));
    expect(plots.made.find((plot) => plot.series.includes('1 s (red on the overview)'))).toBeDefined();
  });

  it('polls without reloading, and keeps the last charts with a plain notice while the gateway is down', async () => {
    const first = { at: NOW, stats: STATS, statsError: null, items: [ITEM], itemsError: null, chaos: CHAOS, chaosError: null };
    const down: OperatorSnapshot = {
      at: NOW + 2_000,
      stats: null,
      statsError: 'The gateway is not answering: connection refused (is it running?).',
      items: [{ ...ITEM, stock: 470 }],
      itemsError: null,
      chaos: CHAOS,
      chaosError: null,
    };
    const page = renderDemo(first, [down]);
    const notice = await screen.findByTestId('stats-unavailable', {}, { timeout: 5_000 });
    expect(page.polls()).toBeGreaterThan(0);
    expect(notice.textContent).toBe(
      'The charts are unavailable for now; they show the data from 2026-11-25 12:00:00 UTC. ' +
        'The gateway is not answering: connection refused (is it running?).',
    );
    expect(chart('throughput').getAttribute('data-max')).toBe('3.2');
    // The stock still arrives, point by point.
    expect(chart('stock').getAttribute('data-points')).toBe('2');
  }, 10_000);
});
