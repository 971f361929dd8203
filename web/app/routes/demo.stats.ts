import type { LoaderFunctionArgs } from '@remix-run/node';
import { operatorSnapshot } from '../lib/operator.server';
import { setSecurityHeaders } from '../lib/security-headers.server';
import { requireOperator } from '../lib/session.server';

/**
 * What the demo page polls every 2 s: `{ stats, items, chaos }` (OperatorSnapshot), each null with
 * its reason when that service does not answer, so the page keeps its last charts and says why.
 */
export async function loader({ request }: LoaderFunctionArgs) {
  await requireOperator(request, { resource: true });
  // Resource routes skip entry.server, so they set the headers themselves.
  const headers = setSecurityHeaders(new Headers({ 'cache-control': 'no-store' }));
  return Response.json(await operatorSnapshot(), { headers });
}
