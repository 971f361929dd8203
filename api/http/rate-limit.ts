import { createHash } from 'node:crypto';
import rateLimit from '@fastify/rate-limit';
import type { FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import { bearerToken } from './bearer-auth';
import type { AnyFastify } from './types';

export interface RateLimitOptions {
  /** Counters live in Redis, so every replica of a service shares one budget per caller. */
  redis: Redis;
  /** Key prefix of this service's counters. */
  service: string;
  /** Who is asking: a known credential (tokenKey) or an address (addressKey). */
  callerOf: (request: FastifyRequest) => string;
  /** Requests per minute a caller may make to a limited route. */
  perMinute: (caller: string) => number;
  /** Which requests count; the rest (health, metrics, docs) are never limited. */
  limits: (request: FastifyRequest) => boolean;
}

/** The rate-limit key of a bearer token: hashed, so tokens never reach Redis. */
export function tokenKey(token: string): string {
  return `token:${createHash('sha256').update(token).digest('hex').slice(0, 32)}`;
}

export function addressKey(request: FastifyRequest): string {
  return `ip:${request.ip}`;
}

/**
 * A caller is the credential it presents when that is one of `known`, its address otherwise:
 * made-up tokens must not buy fresh budgets.
 */
export function credentialOrAddress(known: string[]): (request: FastifyRequest) => string {
  return (request) => {
    const token = bearerToken(request);
    return token !== undefined && known.includes(token) ? tokenKey(token) : addressKey(request);
  };
}

/**
 * 429 with Retry-After past a caller's budget (a fixed one-minute window). When Redis is
 * unreachable requests pass: an outage of the limiter must not become an outage of orders.
 */
export async function registerRateLimit(app: AnyFastify, options: RateLimitOptions): Promise<void> {
  await app.register(rateLimit, {
    redis: options.redis,
    nameSpace: `valerix:rate:${options.service}:`,
    timeWindow: 60_000,
    keyGenerator: options.callerOf,
    max: (_request: FastifyRequest, key: string) => options.perMinute(key),
    allowList: (request: FastifyRequest) => !options.limits(request),
    skipOnError: true,
    errorResponseBuilder: (_request, context) =>
      Object.assign(new Error(`Rate limit of ${context.max} requests per minute reached; retry in ${context.after}.`), { statusCode: 429 }),
  });
}
