import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { PROBLEM_TYPES } from '../../shared/contract/problems';
import { HttpProblem } from './problem';

/** A configured bearer token and the role it grants. */
export interface BearerCredential {
  role: string;
  token: string;
}

/** Constant-time comparison of a presented secret with the expected one. */
export function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The bearer token of a request, or undefined when there is none. */
export function bearerToken(request: FastifyRequest): string | undefined {
  return request.headers.authorization?.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
}

/**
 * An onRequest hook that lets through only a bearer token of one of `roles`: 401 without a
 * token, 403 with a token that is unknown or of another role.
 */
export function requireRole(credentials: BearerCredential[], roles: string[], hint: string) {
  const accepted = credentials.filter((credential) => roles.includes(credential.role));
  return async (request: FastifyRequest) => {
    const token = bearerToken(request);
    if (token === undefined)
      throw new HttpProblem(401, PROBLEM_TYPES.unauthorized, 'Authentication required', `Send Authorization: Bearer <${hint}>.`);
    // Every credential is compared, so the time taken does not tell which one nearly matched.
    const matches = accepted.map((credential) => sameSecret(token, credential.token));
    if (!matches.includes(true)) throw new HttpProblem(403, PROBLEM_TYPES.forbidden, 'Forbidden', `This route needs ${hint}.`);
  };
}
