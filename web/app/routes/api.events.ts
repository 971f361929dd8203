import type { LoaderFunctionArgs } from '@remix-run/node';
import { gateway } from '../lib/gateway.server';
import { setSecurityHeaders } from '../lib/security-headers.server';
import { requireOperator } from '../lib/session.server';

/** The gateway's order events, streamed through this app so the browser talks to the dashboard only. */
export async function loader({ request }: LoaderFunctionArgs) {
  await requireOperator(request, { resource: true });
  const lastEventId = request.headers.get('last-event-id') ?? new URL(request.url).searchParams.get('last_event_id');
  const response = await gateway.orderEvents(lastEventId, request.signal);
  // Resource routes skip entry.server, so they set the headers themselves.
  setSecurityHeaders(response.headers);
  return response;
}
