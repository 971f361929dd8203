import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { LiveIndicator } from '../components/live-indicator';
import { OrderLines, OrderTimeline } from '../components/order-detail';
import { RouteError } from '../components/route-error';
import { StatusBadge } from '../components/status-badge';
import { useLastDefined, useOrderEvents, useThrottledRevalidate } from '../lib/live';
import { canCancel, formatTime } from '../lib/orders';
import { orders } from '../lib/orders.server';
import { requireSameOrigin } from '../lib/same-origin.server';
import { requireOperator } from '../lib/session.server';

export const meta: MetaFunction = ({ params }) => [{ title: `${params.id} · Orders · Valerix` }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireOperator(request);
  return orders.loadOne(params.id ?? '');
}

export async function action({ request, params }: ActionFunctionArgs) {
  requireSameOrigin(request);
  await requireOperator(request);
  return orders.cancel(params.id ?? '');
}

export default function OrderDetail() {
  const { order, workflowUrl } = useLoaderData<typeof loader>();
  const cancel = useLastDefined(useActionData<typeof action>());
  const navigation = useNavigation();
  const revalidate = useThrottledRevalidate(250);
  const state = useOrderEvents(
    (event) => {
      if (event.orderId === order.id) revalidate();
    },
    () => revalidate(),
  );
  const cancelling = navigation.state === 'submitting' && navigation.formMethod === 'POST';

  return (
    <main>
      <p>
        <Link to="/orders">← All orders</Link>
      </p>
      <h1 className="mono">{order.id}</h1>
      <LiveIndicator state={state} />
      <dl className="facts">
        <dt>Status</dt>
        <dd data-testid="order-status" data-status={order.status}>
          <StatusBadge status={order.status} />
          {order.reason && <span className="reason"> {order.reason}</span>}
          {order.cancel_requested && order.status !== 'CANCELLED' && <span className="reason"> (cancel requested)</span>}
        </dd>
        <dt>Created</dt>
        <dd>{formatTime(order.created_at)}</dd>
        <dt>Updated</dt>
        <dd>{formatTime(order.updated_at)}</dd>
        {order.completed_at && (
          <>
            <dt>Completed</dt>
            <dd>{formatTime(order.completed_at)}</dd>
          </>
        )}
        {order.last_error && (
          <>
            <dt>Last error</dt>
            <dd className="error-text">{order.last_error}</dd>
          </>
        )}
        <dt>Workflow</dt>
        <dd>
          <a href={workflowUrl}>Open in the Temporal Web UI</a>
        </dd>
      </dl>

      {canCancel(order.status) && (
        <Form method="post" className="cancel">
          <button type="submit" className="danger">
            {cancelling ? 'Cancelling…' : order.status === 'CONFIRMED' ? 'Cancel order (return the stock)' : 'Cancel order'}
          </button>
        </Form>
      )}
      {cancel?.kind === 'refused' && (
        <p className="message error" role="alert">
          Not cancelled: {cancel.error}
        </p>
      )}
      {cancel?.kind === 'cancelled' && (
        <p className="message placed" role="status">
          {cancel.settled ? `Cancelled: the order is ${cancel.status}.` : 'Cancel accepted: compensation is still running.'}
        </p>
      )}

      <OrderLines lines={order.lines} />
      <OrderTimeline timeline={order.timeline} />
    </main>
  );
}

export function ErrorBoundary() {
  return <RouteError />;
}
