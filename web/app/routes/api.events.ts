import type { LoaderFunctionArgs } from '@remix-run/node';
import { gateway } from '../lib/gateway.server';

/** The gateway's order events, streamed through this app so the browser talks to the dashboard only. */
export const loader = ({ request }: LoaderFunctionArgs) =>
  gateway.orderEvents(request.headers.get('last-event-id') ?? new URL(request.url).searchParams.get('last_event_id'), request.signal);
