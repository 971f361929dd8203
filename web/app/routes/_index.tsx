import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { HealthTable } from '../components/health-table';
import { RouteError } from '../components/route-error';
import { StatusBadge } from '../components/status-badge';
import { describeChaos } from '../lib/chaos-form';
import { problemText } from '../lib/errors';
import { usePolling } from '../lib/live';
import { formatTime } from '../lib/orders';
import { loadOverview } from '../lib/overview.server';
import { requireOperator } from '../lib/session.server';
import { formatCount } from '../lib/stats';

const REFRESH_MS = 5_000;

export const meta: MetaFunction = () => [{ title: 'Overview · Valerix' }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requireOperator(request);
  return loadOverview();
}

export default function Overview() {
  const { checks, stats, chaos, checkedAt, links } = useLoaderData<typeof loader>();
  // Health changes by itself (chaos, a crash): refresh while the page is on screen.
  usePolling(REFRESH_MS);

  return (
    <main>
      <h1>Overview</h1>
      <p className="hint">
        Checked at {formatTime(checkedAt)}; refreshes every {REFRESH_MS / 1000} s. Green below 0.8 s, amber up to 1 s, red above 1 s or
        down.
      </p>
      <HealthTable checks={checks} />

      <section aria-labelledby="orders-title">
        <h2 id="orders-title">Orders</h2>
        {stats ? (
          <>
            <p>
              <strong data-testid="order-rate">
                {stats.rate.lowerBound ? 'at least ' : ''}
                {stats.rate.perMinute}
              </strong>{' '}
              orders per minute over the last 5 minutes ({stats.rate.lastMinute} in the last minute; {formatCount(stats.total)} orders in
              all).
            </p>
            <ul className="counts">
              {stats.byStatus.map((entry) => (
                <li key={entry.status}>
                  <Link to={`/orders?status=${entry.status}`}>
                    <StatusBadge status={entry.status} /> <span data-status-count={entry.status}>{formatCount(entry)}</span>
                  </Link>
                </li>
              ))}
            </ul>
          </>
        ) : (
          <p className="notice">Order counts are unavailable while the gateway is down.</p>
        )}
      </section>

      <section aria-labelledby="chaos-title">
        <h2 id="chaos-title">Chaos</h2>
        <p data-testid="chaos-summary">{chaos.ok ? describeChaos(chaos.state) : problemText(chaos.problem)}</p>
        <p>
          <Link to="/chaos">Change chaos settings</Link>
        </p>
      </section>

      <section aria-labelledby="links-title">
        <h2 id="links-title">Elsewhere</h2>
        <ul>
          <li>
            <a href={links.temporalUi}>Temporal Web UI</a>: every order is a workflow there.
          </li>
          <li>
            <a href={links.apiDocs}>Gateway API docs</a> (OpenAPI)
          </li>
        </ul>
      </section>
    </main>
  );
}

export function ErrorBoundary() {
  return <RouteError />;
}
