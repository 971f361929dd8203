import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { PROBLEM_TYPES } from '../../../shared/contract/problems';
import { isTerminal, type OrderLineInput, type OrderStatus } from '../../../shared/contract/orders';
import { HttpProblem, problemResponses } from '../../http/problem';
import { callerOf } from '../clients/authenticate';
import { checkIdempotencyKey } from './idempotency';
import {
  CancelBody,
  CreateOrderBody,
  IdempotencyHeaders,
  ListOrdersQuery,
  MAX_PREFER_WAIT_SECONDS,
  OrderIdParams,
  OrderList,
  OrderView,
} from '../../../shared/contract/order-api';
import type { OrderService } from './service';

type App = FastifyInstance<any, any, any, any, TypeBoxTypeProvider>; // eslint-disable-line @typescript-eslint/no-explicit-any

const problems = problemResponses(401, 404, 409, 422);

/** `Prefer: wait=N` (RFC 7240), capped at 30 s; anything else means "do not wait". */
export function preferredWaitMs(header: string | undefined): number {
  const match = header?.match(/(?:^|[,;\s])wait\s*=\s*"?(\d+)"?/i);
  if (!match) return 0;
  return Math.min(Number(match[1]), MAX_PREFER_WAIT_SECONDS) * 1000;
}

function toLines(body: CreateOrderBody): OrderLineInput[] {
  if ('lines' in body) return body.lines.map((line) => ({ itemId: line.item_id, quantity: line.quantity }));
  return [{ itemId: body.item_id, quantity: body.quantity }];
}

export function registerOrderRoutes(app: App, orders: OrderService): void {
  app.post(
    '/api/orders',
    {
      schema: {
        tags: ['orders'],
        summary: 'Place an order (idempotent per Idempotency-Key)',
        description:
          'Answers 202 with the order, or 201 once it reached a terminal status (ask to wait with `Prefer: wait=N`). ' +
          'The same key with the same body returns the same order, marked `Idempotency-Replayed: true`; ' +
          'with a different body, 422.',
        headers: IdempotencyHeaders,
        body: CreateOrderBody,
        response: { 201: OrderView, 202: OrderView, ...problems },
      },
    },
    async (request, reply) => {
      const keyCheck = checkIdempotencyKey(request.headers['idempotency-key']);
      if (!keyCheck.ok) {
        throw keyCheck.reason === 'missing'
          ? new HttpProblem(
              400,
              PROBLEM_TYPES.idempotencyKeyMissing,
              'Idempotency-Key required',
              'Send an Idempotency-Key header (a UUID is recommended).',
            )
          : new HttpProblem(
              400,
              PROBLEM_TYPES.idempotencyKeyInvalid,
              'Invalid Idempotency-Key',
              'The key must be 1-255 visible ASCII characters.',
            );
      }
      const waitMs = preferredWaitMs(request.headers.prefer);
      const { view, replayed } = await orders.placeOrder(callerOf(request), keyCheck.key, toLines(request.body), waitMs);
      reply.header('location', `/api/orders/${view.id}`);
      if (replayed) reply.header('idempotency-replayed', 'true');
      if (waitMs > 0) reply.header('preference-applied', `wait=${waitMs / 1000}`);
      const settled = isTerminal(view.status);
      return reply.code(settled ? 201 : 202).send({ ...view, replayed });
    },
  );

  app.get(
    '/api/orders',
    {
      schema: {
        tags: ['orders'],
        summary: 'List orders, newest first',
        querystring: ListOrdersQuery,
        response: { 200: OrderList, ...problems },
      },
    },
    async (request) => {
      const { status, limit, cursor } = request.query;
      return orders.listOrders(callerOf(request), { status: status as OrderStatus | undefined, limit, cursor });
    },
  );

  app.get(
    '/api/orders/:id',
    {
      schema: {
        tags: ['orders'],
        summary: 'One order: live from its workflow while it runs',
        params: OrderIdParams,
        response: { 200: OrderView, ...problems },
      },
    },
    async (request) => orders.getOrder(callerOf(request), request.params.id),
  );

  app.post(
    '/api/orders/:id/cancel',
    {
      schema: {
        tags: ['orders'],
        summary: 'Cancel an order (a return once CONFIRMED)',
        description:
          '200 once compensated, 202 if still compensating after 10 s (the cancel is stored either way), 409 when nothing can be cancelled, ' +
          '503 when Temporal did not confirm it. Repeating a cancel is safe.',
        params: OrderIdParams,
        body: Type.Optional(CancelBody),
        response: { 200: OrderView, 202: OrderView, ...problems },
      },
    },
    async (request, reply) => {
      const reason = request.body?.reason;
      const { view, settled } = await orders.cancelOrder(callerOf(request), request.params.id, reason);
      return reply.code(settled ? 200 : 202).send(view);
    },
  );
}
