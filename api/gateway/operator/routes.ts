import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import {
  LoadRequestSchema,
  LoadStatusSchema,
  OperatorStatsSchema,
  STATS_BUCKET_MS,
  STATS_WINDOW_MS,
} from '../../../shared/contract/operator';
import { PROBLEM_TYPES } from '../../../shared/contract/problems';
import type { OrderRecords } from '../../../shared/order-records';
import { HttpProblem, problemResponses } from '../../http/problem';
import { callerOf } from '../clients/authenticate';
import type { LoadGenerator } from './load-generator';
import { bucketize, type createAcceptWindow } from './stats';

type App = FastifyInstance<any, any, any, any, TypeBoxTypeProvider>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface OperatorDeps {
  records: OrderRecords;
  accepts: ReturnType<typeof createAcceptWindow>;
  load: LoadGenerator;
}

/** The operator view (the dashboard's demo page): recent activity for its charts, and the load generator. Admins only. */
export function registerOperatorRoutes(app: App, deps: OperatorDeps): void {
  const adminsOnly = async (request: Parameters<typeof callerOf>[0]) => {
    if (callerOf(request).role !== 'admin')
      throw new HttpProblem(403, PROBLEM_TYPES.forbidden, 'Forbidden', 'This route needs an admin key.');
  };
  const problems = problemResponses(401, 403, 409);

  app.get(
    '/api/admin/stats',
    {
      preHandler: adminsOnly,
      schema: {
        tags: ['operator'],
        summary: 'The last two minutes in 5 s buckets: settled orders by status, latency, backlog, inventory retries',
        description:
          'Settled orders, end-to-end latency, backlog and retries come from the orders database (every gateway agrees); ' +
          'accept latency is what this gateway answered.',
        response: { 200: OperatorStatsSchema, ...problems },
      },
    },
    async () => {
      const now = Date.now();
      const [activity, open] = await Promise.all([deps.records.activitySince(new Date(now - STATS_WINDOW_MS)), deps.records.countOpen()]);
      return {
        window_ms: STATS_WINDOW_MS,
        bucket_ms: STATS_BUCKET_MS,
        buckets: bucketize(now, activity, open, deps.accepts.recent(now)),
        load: deps.load.status(),
      };
    },
  );

  app.get(
    '/api/admin/load',
    {
      preHandler: adminsOnly,
      schema: { tags: ['operator'], summary: "This gateway's load generator", response: { 200: LoadStatusSchema, ...problems } },
    },
    async () => deps.load.status(),
  );

  app.post(
    '/api/admin/load',
    {
      preHandler: adminsOnly,
      schema: {
        tags: ['operator'],
        summary: 'Start a bounded stream of real orders from this gateway',
        description: 'Orders of the client load-generator at a constant rate; it stops by itself after duration_s. One at a time (409).',
        body: LoadRequestSchema,
        response: { 202: LoadStatusSchema, ...problems },
      },
    },
    async (request, reply) => reply.code(202).send(await deps.load.start(request.body)),
  );

  app.delete(
    '/api/admin/load',
    {
      preHandler: adminsOnly,
      schema: { tags: ['operator'], summary: 'Stop the load generator', response: { 200: LoadStatusSchema, ...problems } },
    },
    async () => deps.load.stop(),
  );
}
