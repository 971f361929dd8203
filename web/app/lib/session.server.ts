import { createCookieSessionStorage, redirect } from '@remix-run/node';
import { PROBLEM_TYPES } from '../../../shared/contract/problems';
import { config } from '../config.server';
import { problemResponse } from './problem-response.server';

/** How long a login lasts: the cookie's Max-Age, and checked here too, so a copied cookie expires as well. */
const SESSION_MAX_AGE_S = 12 * 60 * 60;
const LOGIN_PATH = '/login';
/** What anyone may reach: the login, the logout (it grants nothing) and the liveness probe. */
const OPEN_PATHS = new Set([LOGIN_PATH, '/logout', '/health', '/health/deep']);

interface SessionData {
  loggedInAt: number;
}

const storage = createCookieSessionStorage<SessionData>({
  cookie: {
    name: 'valerix_session',
    httpOnly: true,
    sameSite: 'lax',
    path: '/',
    maxAge: SESSION_MAX_AGE_S,
    secrets: [config.sessionSecret],
    secure: config.secureCookie,
  },
});

/** remix-serve sees http behind a TLS proxy, hence the setting; a request it sees as https needs no setting. */
const cookieOptions = (request: Request) => ({ secure: config.secureCookie || new URL(request.url).protocol === 'https:' });

/** Whether the request carries a live session. A cookie with a bad signature reads as no session at all. */
export async function isOperator(request: Request): Promise<boolean> {
  const session = await storage.getSession(request.headers.get('cookie'));
  const since = session.get('loggedInAt');
  return typeof since === 'number' && Date.now() - since < SESSION_MAX_AGE_S * 1000;
}

function unauthorizedResponse(): Response {
  return problemResponse({
    type: PROBLEM_TYPES.unauthorized,
    title: 'Unauthorized',
    status: 401,
    detail: 'Log in to the dashboard first.',
  });
}

/**
 * Called first in every loader and action except the open ones (after requireSameOrigin in
 * actions). A page request without a session goes to the login, which sends it back here
 * afterwards; a resource route (the event stream) gets 401. Data requests look like page
 * requests to a loader, so entry.server turns their redirect into 401 (refuseAnonymousData).
 */
export async function requireOperator(request: Request, { resource = false } = {}): Promise<void> {
  if (await isOperator(request)) return;
  if (resource) throw unauthorizedResponse();
  const url = new URL(request.url);
  const back = url.pathname + url.search;
  throw redirect(back === '/' ? LOGIN_PATH : `${LOGIN_PATH}?${new URLSearchParams({ redirectTo: back })}`);
}

/** The page a data request is for: `/orders.data`, `/_root.data` (the overview), `/orders?_data=...`. */
const pagePath = (url: URL) => url.pathname.replace(/\.data$/, '').replace(/^\/_root$/, '/');

/** For entry.server's handleDataRequest: 401 problem+json for a data request that needs a session and has none. */
export async function refuseAnonymousData(request: Request): Promise<Response | null> {
  if (OPEN_PATHS.has(pagePath(new URL(request.url))) || (await isOperator(request))) return null;
  return unauthorizedResponse();
}

const MAX_REDIRECT_LENGTH = 2_000;

/**
 * Where a login may send the browser: a path of this site. Anything else (`https://…`,
 * `//host`, `/\host`, a path that normalizes to `//host`, the login itself) becomes `fallback`.
 */
export function safeRedirect(value: unknown, fallback = '/'): string {
  if (typeof value !== 'string' || !value.startsWith('/') || value.length > MAX_REDIRECT_LENGTH) return fallback;
  const base = new URL('http://dashboard.invalid');
  let target: URL;
  try {
    target = new URL(value, base);
  } catch {
    return fallback;
  }
  const path = target.pathname + target.search + target.hash;
  if (target.origin !== base.origin || path.startsWith('//') || target.pathname === LOGIN_PATH) return fallback;
  return path;
}

/** A fresh session (never one the browser brought) and the redirect that sets its cookie. */
export async function startSession(request: Request, redirectTo: string): Promise<Response> {
  const session = await storage.getSession();
  session.set('loggedInAt', Date.now());
  return redirect(redirectTo, { headers: { 'set-cookie': await storage.commitSession(session, cookieOptions(request)) } });
}

export async function endSession(request: Request): Promise<Response> {
  const session = await storage.getSession(request.headers.get('cookie'));
  return redirect(LOGIN_PATH, { headers: { 'set-cookie': await storage.destroySession(session, cookieOptions(request)) } });
}
