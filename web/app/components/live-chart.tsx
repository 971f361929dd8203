import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import type { ChartData } from '../lib/operator-charts';

/*
 * uPlot (MIT, ~50 KB minified, no dependencies) rather than Recharts: Recharts 3 brings Redux
 * Toolkit, Immer and d3 parts (several hundred KB) and re-renders an SVG tree through React on
 * every update; uPlot draws to a canvas, and new data every 2 s is one setData call. It needs the
 * DOM, so the chart is made in an effect (the server renders the empty box) and follows the box's
 * width through a ResizeObserver, which is what keeps it inside a phone's 375 px. It styles its
 * elements through the CSSOM only (no style attributes, no <style>), which the strict CSP allows.
 */

export interface SeriesStyle {
  stroke: string;
  dash?: number[];
}

const HEIGHT = 200;

const toAligned = (data: ChartData): uPlot.AlignedData => [data.x, ...data.series.map((series) => series.values)];

/** Charts' times in UTC, like every time the dashboard shows. */
const utc = (ts: number) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC');

/** Counts and rates start at 0 and keep some room above the highest value; 1 when everything is 0. */
const countRange = (_u: uPlot, _min: number, max: number): uPlot.Range.MinMax => [0, max > 0 ? max * 1.1 : 1];

interface Props {
  /** data-chart, for the tests. */
  name: string;
  title: string;
  /** The y axis' label. */
  unit: string;
  data: ChartData;
  styles: SeriesStyle[];
  /** A fixed top for the y axis (the latency chart keeps its 1 s line in view); else from the data. */
  yMax?: number;
  /** What the chart shows, as data attributes (data-max …): the e2e test reads them. */
  attributes: Record<`data-${string}`, string>;
  /** Said instead of the chart while it has nothing to draw. */
  empty?: string;
}

/** One live line chart: made once per set of series, then only fed new data. */
export function LiveChart({ name, title, unit, data, styles, yMax, attributes, empty }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const top = useRef(yMax);
  const span = useRef(data.xRange);
  useEffect(() => {
    top.current = yMax;
    span.current = data.xRange;
  });
  const initial = useRef(data);
  initial.current = data;
  const labels = data.series.map((series) => series.label).join('\n');
  const styleKey = JSON.stringify(styles);

  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const parsedStyles = JSON.parse(styleKey) as SeriesStyle[];
    const chart = new uPlot(
      {
        width: Math.max(element.clientWidth, 100),
        height: HEIGHT,
        tzDate: utc,
        cursor: { drag: { x: false, y: false } },
        // Names only: values under the cursor would make the legend jump on a phone.
        legend: { live: false },
        scales: {
          x: { time: true, range: (_u, min, max) => span.current ?? [min, max] },
          y: { range: (u, min, max) => (top.current === undefined ? countRange(u, min, max) : [0, top.current]) },
        },
        axes: [
          {
            stroke: '#5b6472',
            grid: { stroke: '#eceff3' },
            ticks: { stroke: '#d9dde3' },
            // HH:MM:SS in UTC, like the rest of the dashboard, and short enough for a phone.
            space: 70,
            values: (_u, splits) => splits.map((ts) => new Date(ts * 1000).toISOString().slice(11, 19)),
          },
          { stroke: '#5b6472', label: unit, labelSize: 18, size: 48, grid: { stroke: '#eceff3' }, ticks: { stroke: '#d9dde3' } },
        ],
        series: [
          { label: 'Time (UTC)' },
          ...(labels === '' ? [] : labels.split('\n')).map((label, i) => ({
            label,
            stroke: parsedStyles[i % parsedStyles.length]?.stroke ?? '#2457c5',
            dash: parsedStyles[i % parsedStyles.length]?.dash,
            width: 2,
            points: { size: 4 },
          })),
        ],
      },
      toAligned(initial.current),
      element,
    );
    plot.current = chart;
    const observer = new ResizeObserver(() => {
      const width = Math.max(element.clientWidth, 100);
      if (width !== chart.width) chart.setSize({ width, height: HEIGHT });
    });
    observer.observe(element);
    return () => {
      observer.disconnect();
      chart.destroy();
      plot.current = null;
    };
  }, [labels, styleKey, unit]);

  useEffect(() => {
    plot.current?.setData(toAligned(data));
  }, [data]);

  return (
    <figure className="chart" data-chart={name} data-points={data.x.length} {...attributes}>
      <figcaption>{title}</figcaption>
      <div className="chart-box" ref={box} />
      {data.x.length === 0 && empty && <p className="small chart-empty">{empty}</p>}
    </figure>
  );
}
