import type { ActionFunctionArgs } from '@remix-run/node';
import { requireSameOrigin } from '../lib/same-origin.server';
import { endSession } from '../lib/session.server';

/** Open without a session: it grants nothing, and a session that has just expired should still log out cleanly. */
export function action({ request }: ActionFunctionArgs) {
  requireSameOrigin(request);
  return endSession(request);
}
