import type { FastifyRequest } from 'fastify';
import { PROBLEM_TYPES } from '../../../shared/contract/problems';
import { bearerToken, sameSecret } from '../../http/bearer-auth';
import { HttpProblem } from '../../http/problem';
import { ADMIN_TOKEN_CALLER, hashApiKey, type Caller } from './keys';
import type { ClientStore } from './store';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set on every /api route once the credential checked out. */
    caller?: Caller;
  }
}

export interface AuthenticatorOptions {
  clients: Pick<ClientStore, 'callerForKey'>;
  /** The deployment's admin secret, accepted as the admin role (the dashboard calls with it). */
  adminToken: string;
  /** A looked-up key is trusted this long without asking the database again: a revocation takes effect within it. */
  cacheTtlMs?: number;
}

/** Bounds the cache against floods of made-up keys; past it, the cache starts over. */
const MAX_CACHED_KEYS = 10_000;

const unauthorized = (detail: string) => new HttpProblem(401, PROBLEM_TYPES.unauthorized, 'Authentication required', detail);

/** Resolves `Authorization: Bearer <API key or ADMIN_TOKEN>` to a caller, or refuses with 401. */
export function createAuthenticator({ clients, adminToken, cacheTtlMs = 10_000 }: AuthenticatorOptions) {
  const cache = new Map<string, { caller: Caller | undefined; until: number }>();

  async function lookUp(key: string): Promise<Caller | undefined> {
    const hash = hashApiKey(key);
    const now = Date.now();
    const hit = cache.get(hash);
    if (hit && hit.until > now) return hit.caller;
    const caller = await clients.callerForKey(key);
    if (cache.size >= MAX_CACHED_KEYS) cache.clear();
    cache.set(hash, { caller, until: now + cacheTtlMs });
    return caller;
  }

  return async function authenticate(request: FastifyRequest): Promise<Caller> {
    const token = bearerToken(request);
    if (token === undefined)
      throw unauthorized('Send Authorization: Bearer <API key>. An operator creates keys with `npm run clients -- create`.');
    const caller = sameSecret(token, adminToken) ? ADMIN_TOKEN_CALLER : await lookUp(token);
    if (!caller) throw unauthorized('The API key is unknown or revoked.');
    request.caller = caller;
    return caller;
  };
}

/** Every /api route runs after authentication (app.ts), so a caller is always there. */
export function callerOf(request: FastifyRequest): Caller {
  if (!request.caller) throw new Error(`${request.routeOptions.url} reached without authentication`);
  return request.caller;
}
