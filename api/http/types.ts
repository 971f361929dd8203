import type { FastifyInstance } from 'fastify';

/** Any Fastify app, whatever its logger and type provider: for plumbing shared by both services. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyFastify = FastifyInstance<any, any, any, any, any>;
