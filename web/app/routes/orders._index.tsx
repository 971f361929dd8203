import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react';
import { useRef, useState } from 'react';
import { LiveIndicator } from '../components/live-indicator';
import { NewOrderForm } from '../components/order-form';
import { RouteError } from '../components/route-error';
import { StatusBadge } from '../components/status-badge';
import { useLastDefined, useOrderEvents, useThrottledRevalidate } from '../lib/live';
import { ORDER_STATUSES, applyOrderEvent, formatTime, linesSummary, withLiveStatus, type LiveStatuses } from '../lib/orders';
import { orders } from '../lib/orders.server';
import { requireSameOrigin } from '../lib/same-origin.server';
import { requireOperator } from '../lib/session.server';

export const meta: MetaFunction = () => [{ title: 'Orders · Valerix' }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requireOperator(request);
  return orders.loadList(new URL(request.url));
}

export async function action({ request }: ActionFunctionArgs) {
  requireSameOrigin(request);
  await requireOperator(request);
  return orders.submitForm(await request.formData());
}

export default function Orders() {
  const page = useLoaderData<typeof loader>();
  const result = useLastDefined(useActionData<typeof action>());
  const [live, setLive] = useState<LiveStatuses>({});
  const revalidate = useThrottledRevalidate();
  const firstPage = page.cursor === null;
  const firstPageRef = useRef(firstPage);
  firstPageRef.current = firstPage;

  // Statuses change at once from the event; the first page also reloads, to show new orders.
  const state = useOrderEvents(
    (event) => {
      setLive((current) => applyOrderEvent(current, event));
      if (firstPageRef.current) revalidate();
    },
    () => revalidate(),
  );
  const rows = page.orders.map((order) => withLiveStatus(order, live));
  const filterQuery = page.status ? `status=${page.status}&` : '';

  return (
    <main>
      <h1>Orders</h1>
      <NewOrderForm items={page.items} serverKey={page.newKey} result={result} />

      <section aria-labelledby="list-title">
        <h2 id="list-title">{page.status ? `${page.status} orders` : 'All orders'}</h2>
        <LiveIndicator state={state} />
        <Form method="get" className="filter">
          <label htmlFor="status-filter">Status</label>
          <select id="status-filter" name="status" defaultValue={page.status ?? ''} key={page.status ?? ''}>
            <option value="">Any</option>
            {ORDER_STATUSES.map((status) => (
              <option key={status} value={status}>
                {status}
              </option>
            ))}
          </select>
          <button type="submit">Filter</button>
        </Form>
        {rows.length === 0 ? (
          <p>No orders{page.status ? ` with status ${page.status}` : ''} yet.</p>
        ) : (
          <div className="table-wrap">
            <table className="orders">
              <thead>
                <tr>
                  <th scope="col">Order</th>
                  <th scope="col">Status</th>
                  <th scope="col">Lines</th>
                  <th scope="col">Created</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((order) => (
                  <tr key={order.id} data-order-id={order.id} data-status={order.status}>
                    <td className="nowrap">
                      <Link to={`/orders/${order.id}`} className="mono">
                        {order.id}
                      </Link>
                    </td>
                    <td>
                      <StatusBadge status={order.status} />
                      {order.reason && <span className="reason"> {order.reason}</span>}
                    </td>
                    <td>{linesSummary(order)}</td>
                    <td className="nowrap">{formatTime(order.created_at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <nav className="pager" aria-label="Pages">
          {!firstPage && <Link to={`/orders?${filterQuery}`}>First page</Link>}
          {page.nextCursor && <Link to={`/orders?${filterQuery}cursor=${encodeURIComponent(page.nextCursor)}`}>Next page</Link>}
        </nav>
      </section>
    </main>
  );
}

export function ErrorBoundary() {
  return <RouteError />;
}
