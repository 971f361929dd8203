import { createHash, timingSafeEqual } from 'node:crypto';
import { data } from '@remix-run/node';
import { config } from '../config.server';
import { createLoginThrottle } from './login-throttle.server';
import { requireSameOrigin } from './same-origin.server';
import { safeRedirect, startSession } from './session.server';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Compares hashes, so the time taken says nothing about the guess's length or how much of it is right. */
function passwordMatches(candidate: string, expected: string): boolean {
  return timingSafeEqual(digest(candidate), digest(expected));
}

/**
 * The address failed logins count against. remix-serve passes no socket address to Remix; behind
 * a proxy, the last X-Forwarded-For entry is the one the proxy saw (a client can only add entries
 * before it). Without a proxy all clients share one count, and a forged header only gets an
 * attacker as far as the overall ceiling.
 */
function clientAddress(request: Request): string {
  return request.headers.get('x-forwarded-for')?.split(',').at(-1)?.trim() || 'direct';
}

const throttle = createLoginThrottle();

/** The login form's action: a session and a redirect to `redirectTo`, or the reason there is none. */
export async function logIn(request: Request) {
  requireSameOrigin(request);
  const address = clientAddress(request);
  // Refused before the password is looked at: a blocked guesser learns nothing, right or wrong.
  const retryAfterMs = throttle.retryAfterMs(address);
  if (retryAfterMs > 0) {
    const minutes = Math.ceil(retryAfterMs / 60_000);
    return data(
      { error: `Too many wrong passwords. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.` },
      { status: 429, headers: { 'retry-after': String(Math.ceil(retryAfterMs / 1000)) } },
    );
  }
  const form = await request.formData();
  const password = form.get('password');
  if (typeof password !== 'string' || !passwordMatches(password, config.dashboardPassword)) {
    throttle.failed(address);
    return data({ error: 'Wrong password.' }, { status: 400 });
  }
  throttle.succeeded(address);
  throw await startSession(request, safeRedirect(form.get('redirectTo')));
}
