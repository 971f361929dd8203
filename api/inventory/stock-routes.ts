import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import {
  AuditRow,
  MAX_STOCK,
  DeductBody,
  DeductResult,
  Item,
  ItemId,
  ReleaseBody,
  ReleaseResult,
  RestockBody,
} from '../../shared/contract/inventory-api';
import { PROBLEM_TYPES } from '../../shared/contract/problems';
import { REFUSALS } from '../../shared/contract/refusals';
import { HttpProblem, problemResponses } from '../http/problem';
import type { InventoryFaults } from './faults';
import type { InventoryMetrics } from './metrics';
import type { InventoryStore } from './store';

type App = FastifyInstance<any, any, any, any, TypeBoxTypeProvider>; // eslint-disable-line @typescript-eslint/no-explicit-any
type OnRequestHook = (request: FastifyRequest) => Promise<void>;

export interface StockRouteDeps {
  store: InventoryStore;
  faults: InventoryFaults;
  metrics: InventoryMetrics;
  /** The worker reserves and releases; an admin restocks. */
  onlyService: OnRequestHook;
  onlyAdmin: OnRequestHook;
}

const problems = problemResponses(401, 403, 404, 409);

/** `/api/inventory`: stock reads for anyone, reservations for the worker, restock for an admin. */
export function registerStockRoutes(app: App, { store, faults, metrics: inventoryMetrics, onlyService, onlyAdmin }: StockRouteDeps): void {
  app.get(
    '/api/inventory',
    { schema: { tags: ['inventory'], response: { 200: Type.Object({ items: Type.Array(Item) }), ...problems } } },
    async () => ({
      items: await store.list(),
    }),
  );

  app.get(
    '/api/inventory/audit',
    {
      schema: {
        tags: ['inventory'],
        description: 'stock + reserved = initial + restocked, per item',
        response: { 200: Type.Object({ consistent: Type.Boolean(), items: Type.Array(AuditRow) }), ...problems },
      },
    },
    async () => {
      const items = await store.audit();
      return { consistent: items.every((item) => item.consistent), items };
    },
  );

  app.get(
    '/api/inventory/:item_id',
    { schema: { tags: ['inventory'], params: Type.Object({ item_id: ItemId }), response: { 200: Item, ...problems } } },
    async (request) => {
      const item = await store.get(request.params.item_id);
      if (!item) throw HttpProblem.refusal(REFUSALS.unknownItem, `No item '${request.params.item_id}'`);
      return item;
    },
  );

  app.post(
    '/api/inventory/deduct',
    {
      onRequest: onlyService,
      schema: {
        tags: ['inventory'],
        security: [{ serviceToken: [] }],
        description: 'Reserve stock under a unique reservation id. Repeating the id changes nothing and answers 200 with replayed=true.',
        body: DeductBody,
        response: { 200: DeductResult, 201: DeductResult, ...problems },
      },
    },
    async (request, reply) => {
      const { item_id, quantity, reservation_id } = request.body;
      const outcome = await store.reserve(reservation_id, item_id, quantity, { beforeCommit: () => faults.beforeCommit('reserve') });
      inventoryMetrics.outcome('reserve', outcome.kind);
      switch (outcome.kind) {
        case 'unknown-item':
          throw HttpProblem.refusal(REFUSALS.unknownItem, `No item '${item_id}'`);
        case 'out-of-stock':
          throw HttpProblem.refusal(REFUSALS.outOfStock, `'${item_id}' has ${outcome.available} left, ${quantity} requested`, {
            available: outcome.available,
          });
        case 'released-before':
          throw HttpProblem.refusal(REFUSALS.reservationReleased, `Reservation '${reservation_id}' was released before it was made`);
        case 'replayed':
          if (await dropAnswer(reply, 'reserve')) return reply;
          return reply.code(200).send({ reservation_id, item_id: outcome.itemId, quantity: outcome.quantity, replayed: true });
        case 'reserved':
          if (await dropAnswer(reply, 'reserve')) return reply;
          return reply.code(201).send({ reservation_id, item_id, quantity, replayed: false, stock: outcome.stock });
      }
    },
  );

  app.post(
    '/api/inventory/release',
    {
      onRequest: onlyService,
      schema: {
        tags: ['inventory'],
        security: [{ serviceToken: [] }],
        description: 'Give a reservation back. Idempotent; a release before the reservation blocks it.',
        body: ReleaseBody,
        response: { 200: ReleaseResult, ...problems },
      },
    },
    async (request, reply) => {
      const { reservation_id, item_id } = request.body;
      const outcome = await store.release(reservation_id, item_id, { beforeCommit: () => faults.beforeCommit('release') });
      inventoryMetrics.outcome('release', outcome.kind === 'tombstone' ? 'released-before-reserved' : outcome.kind);
      if (await dropAnswer(reply, 'release')) return reply;
      if (outcome.kind === 'released') return { reservation_id, outcome: 'released' as const, quantity: outcome.quantity };
      return {
        reservation_id,
        outcome: outcome.kind === 'tombstone' ? ('released-before-reserved' as const) : ('already-released' as const),
        quantity: 0,
      };
    },
  );

  app.post(
    '/api/inventory/:item_id/restock',
    {
      onRequest: onlyAdmin,
      schema: {
        tags: ['inventory'],
        security: [{ adminToken: [] }],
        params: Type.Object({ item_id: ItemId }),
        body: RestockBody,
        response: { 200: Item, ...problems },
      },
    },
    async (request) => {
      const { item_id } = request.params;
      const outcome = await store.restock(item_id, request.body.quantity, MAX_STOCK);
      if (outcome.kind === 'unknown-item') throw HttpProblem.refusal(REFUSALS.unknownItem, `No item '${item_id}'`);
      if (outcome.kind === 'over-limit') {
        throw new HttpProblem(409, PROBLEM_TYPES.stockLimitExceeded, 'Stock limit exceeded', `An item holds at most ${MAX_STOCK} units.`, {
          max_stock: MAX_STOCK,
        });
      }
      return outcome.item;
    },
  );

  /** The lost response: committed, then the connection closes with no answer. */
  async function dropAnswer(reply: { hijack(): void; raw: { socket: { destroy(): void } | null } }, operation: 'reserve' | 'release') {
    if ((await faults.afterCommit(operation)) !== 'drop') return false;
    reply.hijack();
    reply.raw.socket?.destroy();
    return true;
  }
}
