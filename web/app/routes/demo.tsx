import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useFetcher, useLoaderData, useNavigation } from '@remix-run/react';
import { useEffect, useMemo, useReducer } from 'react';
import uPlotStyles from 'uplot/dist/uPlot.min.css?url';
import type { LoadStatus } from '../../../shared/contract/operator';
import { STATS_WINDOW_MS } from '../../../shared/contract/operator';
import { LiveChart, type SeriesStyle } from '../components/live-chart';
import { RouteError } from '../components/route-error';
import { describeChaos } from '../lib/chaos-form';
import { problemText } from '../lib/errors';
import { gateway } from '../lib/gateway.server';
import { inventory } from '../lib/inventory.server';
import { useFetcherPolling } from '../lib/live';
import { LOAD_DEFAULTS, LOAD_MAX_DURATION_S, LOAD_MAX_RATE, readLoadForm } from '../lib/load-form';
import {
  LATENCY_THRESHOLD_MS,
  accumulate,
  attr,
  backlogChart,
  completeBuckets,
  inventoryChart,
  latencyChart,
  stockChart,
  throughputChart,
  type OperatorSnapshot,
  type OperatorView,
} from '../lib/operator-charts';
import { describeError, operatorSnapshot } from '../lib/operator.server';
import { formatTime } from '../lib/orders';
import { requireSameOrigin } from '../lib/same-origin.server';
import { requireOperator } from '../lib/session.server';

const POLL_MS = 2_000;
const STATS_PATH = '/demo/stats';

export const meta: MetaFunction = () => [{ title: 'Demo · Valerix' }];

// The chart library's own stylesheet, served from this app like styles.css (the CSP allows 'self' only).
export const links: LinksFunction = () => [{ rel: 'stylesheet', href: uPlotStyles }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requireOperator(request);
  // The contract's limits travel as data: importing its module in the browser would bring TypeBox along.
  return {
    snapshot: await operatorSnapshot(),
    limits: { maxRate: LOAD_MAX_RATE, maxDurationS: LOAD_MAX_DURATION_S, windowMs: STATS_WINDOW_MS, defaults: LOAD_DEFAULTS },
  };
}

type Intent = 'load-start' | 'load-stop' | 'chaos-latency' | 'chaos-off';
interface Answer {
  intent: Intent | 'unknown';
  ok: boolean;
  message: string;
}

export async function action({ request }: ActionFunctionArgs): Promise<Answer> {
  requireSameOrigin(request);
  await requireOperator(request);
  const form = await request.formData();
  const intent = String(form.get('intent') ?? '');
  try {
    switch (intent) {
      case 'load-start': {
        const parsed = readLoadForm(form);
        if (!parsed.ok) return { intent, ok: false, message: parsed.error };
        const result = await gateway.startLoad(parsed.load);
        if (!result.ok) return { intent, ok: false, message: problemText(result.problem) };
        return { intent, ok: true, message: `Load started: ${result.load.rate} orders/s for ${result.load.duration_s} s.` };
      }
      case 'load-stop': {
        const result = await gateway.stopLoad();
        if (!result.ok) return { intent, ok: false, message: problemText(result.problem) };
        return { intent, ok: true, message: `Load stopped: ${result.load.placed} placed, ${result.load.failed} failed.` };
      }
      case 'chaos-latency':
      case 'chaos-off': {
        // The seed's switch: 5 s on every inventory call.
        const result =
          intent === 'chaos-off' ? await inventory.chaos.disable() : await inventory.chaos.update({ enabled: true, latency: true });
        if (!result.ok) return { intent, ok: false, message: problemText(result.problem) };
        return { intent, ok: true, message: `Chaos: ${describeChaos(result.state)}.` };
      }
      default:
        return { intent: 'unknown', ok: false, message: 'Unknown action: reload the page and try again.' };
    }
  } catch (err) {
    // A service that does not answer: said here, the page and its last charts stay.
    return { intent: intent as Intent, ok: false, message: describeError(err) };
  }
}

const THROUGHPUT_STYLES: SeriesStyle[] = [{ stroke: '#1e8e3e' }, { stroke: '#c5221f' }, { stroke: '#6b7280' }];
const LATENCY_STYLES: SeriesStyle[] = [
  { stroke: '#8fb0ea' },
  { stroke: '#2457c5' },
  { stroke: '#e8b25c' },
  { stroke: '#c77800' },
  { stroke: '#c5221f', dash: [6, 4] },
];
const BACKLOG_STYLES: SeriesStyle[] = [{ stroke: '#2457c5' }];
const INVENTORY_STYLES: SeriesStyle[] = [{ stroke: '#c77800' }, { stroke: '#c5221f' }];
const STOCK_STYLES: SeriesStyle[] = ['#2457c5', '#1e8e3e', '#c77800', '#8e44ad', '#00838f', '#c5221f', '#6b7280', '#795548'].map(
  (stroke) => ({ stroke }),
);

export default function Demo() {
  const { snapshot, limits } = useLoaderData<typeof loader>();
  const answer = useActionData<typeof action>();
  const navigation = useNavigation();
  const busy = navigation.state === 'submitting';
  const poll = useFetcher<OperatorSnapshot>();
  useFetcherPolling(poll, STATS_PATH, POLL_MS);

  // The loader's snapshot (first paint, after each action) and the poller's, newest first.
  const [view, fold] = useReducer(
    (current: OperatorView, next: OperatorSnapshot) => accumulate(current, next, limits.windowMs),
    snapshot,
    (first) => accumulate(undefined, first, limits.windowMs),
  );
  useEffect(() => fold(snapshot), [snapshot]);
  useEffect(() => {
    if (poll.data) fold(poll.data);
  }, [poll.data]);

  const charts = useMemo(() => {
    const buckets = view.stats && view.statsAt !== null ? completeBuckets(view.stats, view.statsAt) : [];
    const bucketMs = view.stats?.bucket_ms ?? 5_000;
    return {
      throughput: throughputChart(buckets, bucketMs),
      latency: latencyChart(buckets),
      backlog: backlogChart(buckets),
      inventory: inventoryChart(buckets),
      stock: stockChart(view.stock, limits.windowMs),
    };
  }, [view, limits.windowMs]);
  const load = view.stats?.load ?? null;
  const bucketS = (view.stats?.bucket_ms ?? 5_000) / 1000;

  return (
    <main className="wide">
      <h1>Demo</h1>
      <p className="hint">
        The whole demo from one screen: start a load, turn chaos on and off, and watch the charts (the last {limits.windowMs / 60_000}{' '}
        minutes in {bucketS} s buckets, refreshed every {POLL_MS / 1000} s without reloading the page).
      </p>
      {answer && (
        <p className={`message ${answer.ok ? '' : 'error'}`} role={answer.ok ? 'status' : 'alert'} data-testid="demo-answer">
          {answer.message}
        </p>
      )}
      <div className="demo">
        <div className="demo-controls">
          <section className="panel" aria-labelledby="load-title">
            <h2 id="load-title">Load generator</h2>
            <p className="hint">
              Places real orders through the gateway, with fresh idempotency keys, taking real stock: at most {limits.maxRate} orders/s, for
              at most {limits.maxDurationS} s. It stops by itself at the end.
            </p>
            <LoadStatusLine load={load} />
            <Form method="post" className="load-form">
              <NumberField id="load-rate" name="rate" label="Orders per second" max={limits.maxRate} defaultValue={limits.defaults.rate} />
              <NumberField
                id="load-duration"
                name="duration_s"
                label="Duration (s)"
                max={limits.maxDurationS}
                defaultValue={limits.defaults.duration_s}
              />
              <NumberField
                id="load-multi"
                name="multi_share_percent"
                label="Multi-line orders (%)"
                min={0}
                max={100}
                step={5}
                defaultValue={limits.defaults.multi_share_percent}
              />
              <div className="actions">
                <button type="submit" name="intent" value="load-start" disabled={busy || load?.running === true}>
                  Start load
                </button>
                {/* Stopping needs none of the fields to be valid. */}
                <button type="submit" name="intent" value="load-stop" className="danger" formNoValidate disabled={busy}>
                  Stop load
                </button>
              </div>
            </Form>
          </section>

          <section className="panel" aria-labelledby="demo-chaos-title">
            <h2 id="demo-chaos-title">Chaos</h2>
            <p className="chaos-state" data-testid="demo-chaos" data-enabled={view.chaos?.enabled ?? ''}>
              <strong>{view.chaos ? describeChaos(view.chaos) : 'Unknown'}</strong>
            </p>
            {view.chaosError && <p className="notice">Chaos settings unavailable: {view.chaosError}</p>}
            <Form method="post" className="actions">
              <button type="submit" name="intent" value="chaos-latency" className="secondary" disabled={busy}>
                Latency 5 s on every inventory call
              </button>
              <button type="submit" name="intent" value="chaos-off" className="danger" disabled={busy}>
                Chaos off
              </button>
            </Form>
            <p className="small">
              <Link to="/chaos">All chaos settings</Link> (failure rates, lost responses, crashes).
            </p>
          </section>
        </div>

        <section className="demo-charts" aria-labelledby="charts-title">
          <h2 id="charts-title">Live</h2>
          <p className="live" data-state={view.statsError ? 'reconnecting' : 'live'} data-updated-at={view.at}>
            <span className="dot" aria-hidden="true" /> Updated {formatTime(new Date(view.at).toISOString())}
          </p>
          {view.statsError && (
            <p className="notice" role="alert" data-testid="stats-unavailable">
              {view.stats
                ? `The charts are unavailable for now; they show the data from ${formatTime(new Date(view.statsAt!).toISOString())}.`
                : 'The charts are unavailable for now.'}{' '}
              {view.statsError}
            </p>
          )}
          <div className="charts">
            <LiveChart
              name="throughput"
              title="Orders per second, by final status"
              unit="orders/s"
              data={charts.throughput}
              styles={THROUGHPUT_STYLES}
              attributes={{ 'data-max': attr(charts.throughput.max) }}
              empty="No data yet."
            />
            <LiveChart
              name="latency"
              title={`Latency (ms): accepting an order, and to its final status; the red line is ${LATENCY_THRESHOLD_MS / 1000} s`}
              unit="ms"
              data={charts.latency}
              styles={LATENCY_STYLES}
              yMax={charts.latency.yMax}
              attributes={{
                'data-max-ms': attr(charts.latency.maxP95),
                'data-threshold-ms': String(LATENCY_THRESHOLD_MS),
                'data-y-max': String(charts.latency.yMax),
              }}
              empty="No data yet."
            />
            <LiveChart
              name="backlog"
              title="Backlog: orders accepted, not yet final"
              unit="orders"
              data={charts.backlog}
              styles={BACKLOG_STYLES}
              attributes={{ 'data-max': attr(charts.backlog.max) }}
              empty="No data yet."
            />
            <LiveChart
              name="stock"
              title="Stock per item (since this page opened; the items that moved most)"
              unit="units"
              data={charts.stock}
              styles={STOCK_STYLES}
              attributes={{ 'data-max': attr(charts.stock.max), 'data-items': String(charts.stock.series.length) }}
              empty="No stock seen yet."
            />
            {view.itemsError && <p className="notice small">Stock not updated: {view.itemsError}</p>}
            <LiveChart
              name="inventory"
              title={`Inventory calls: retries and failures per ${bucketS} s`}
              unit="per bucket"
              data={charts.inventory}
              styles={INVENTORY_STYLES}
              attributes={{ 'data-max': attr(charts.inventory.max) }}
              empty="No data yet."
            />
          </div>
        </section>
      </div>
    </main>
  );
}

function LoadStatusLine({ load }: { load: LoadStatus | null }) {
  if (!load) return <p data-testid="load-status">Status unknown until the gateway answers.</p>;
  const counts = `${load.placed} placed, ${load.failed} failed`;
  return (
    <p data-testid="load-status" data-running={load.running} data-placed={load.placed} data-failed={load.failed} role="status">
      {load.running ? (
        <>
          <strong>Running</strong>: {load.rate} orders/s for {load.duration_s} s; {counts}; ends at {formatTime(load.ends_at ?? undefined)}.
        </>
      ) : load.started_at ? (
        <>
          <strong>Not running.</strong> Last run: {load.rate} orders/s, {counts}
          {load.ends_at ? `, until ${formatTime(load.ends_at)}` : ''}.
        </>
      ) : (
        <strong>Not running.</strong>
      )}
    </p>
  );
}

export function ErrorBoundary() {
  return <RouteError />;
}

/** A labelled whole-number field of the load form; the server checks the same bounds (load-form.ts). */
function NumberField(props: { id: string; name: string; label: string; min?: number; max: number; step?: number; defaultValue: number }) {
  const { id, name, label, min = 1, max, step = 1, defaultValue } = props;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        name={name}
        type="number"
        inputMode={step === 1 ? 'numeric' : 'decimal'}
        min={min}
        max={max}
        step={step}
        defaultValue={defaultValue}
        required
      />
    </div>
  );
}
