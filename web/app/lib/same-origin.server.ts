import { PROBLEM_TYPES } from '../../../shared/contract/problems';
import { problemResponse } from './problem-response.server';

const SAFE_METHODS = new Set(['GET', 'HEAD']);

const hostOf = (url: string) => {
  try {
    return new URL(url).host;
  } catch {
    return null; // "null" origins (sandboxed frames, file:) are never ours
  }
};

/**
 * Whether a state-changing request came from a page of another site. Browsers send Origin on
 * every cross-origin POST; Sec-Fetch-Site or Referer stand in when it is missing. A request
 * carrying none of them is refused: no browser sends such a POST, and a script can add Origin.
 */
export function isCrossSite(request: Request): boolean {
  if (SAFE_METHODS.has(request.method)) return false;
  const host = request.headers.get('host') ?? new URL(request.url).host;
  const origin = request.headers.get('origin');
  if (origin) return hostOf(origin) !== host;
  const site = request.headers.get('sec-fetch-site');
  if (site) return site !== 'same-origin';
  const referer = request.headers.get('referer');
  return referer ? hostOf(referer) !== host : true;
}

export function forbiddenResponse(): Response {
  return problemResponse({
    type: PROBLEM_TYPES.forbidden,
    title: 'Forbidden',
    status: 403,
    detail: 'Requests that change anything must come from the dashboard’s own pages.',
  });
}

/**
 * Called first in every action. The action is the only code that runs for both document and
 * data (`.data`, `?_data=`) requests before anything changes; entry.server's hooks run after it.
 */
export function requireSameOrigin(request: Request): void {
  if (isCrossSite(request)) throw forbiddenResponse();
}
