import type { OrderState, OrderStatus } from '../contract/orders';
import { TERMINAL_STATUSES } from '../contract/orders';
import type { OrdersDb } from '../orders-db';
import { claimKey, type KeyClaimRequest } from './key-claims';
import { saveTransition } from './store';

/**
 * The one owner of the order tables (orders, order_lines, idempotency_keys): every read and
 * write goes through here, and views.ts holds the one mapping between row, state and view.
 */
export function createOrderRecords(db: OrdersDb) {
  return {
    /** The gateway's claim of an Idempotency-Key; on a replay, the first request's fingerprint and row. */
    claimKey: (claim: KeyClaimRequest) => claimKey(db, claim),

    /** The worker's write of one saga transition. */
    saveTransition: (state: OrderState) => saveTransition(db, state),

    read: (orderId: string) => db.order.findUnique({ where: { id: orderId }, include: { lines: true } }),

    /** The client that claimed the order's key, if any. */
    async ownerOf(orderId: string): Promise<string | undefined> {
      const claim = await db.idempotencyKey.findUnique({ where: { orderId }, select: { clientId: true } });
      return claim?.clientId;
    },

    /** Newest first, one more than `limit` (so the caller knows whether a next page exists). */
    list(filter: { clientId?: string; status?: OrderStatus; after?: { createdAt: Date; id: string }; limit: number }) {
      const { clientId, status, after, limit } = filter;
      return db.order.findMany({
        where: {
          ...(clientId === undefined ? {} : { clientId }),
          ...(status ? { status } : {}),
          ...(after ? { OR: [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, id: { lt: after.id } }] } : {}),
        },
        include: { lines: true },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: limit + 1,
      });
    },

    /**
     * Orders created or settled since `since` (the operator's charts): status, times, and their
     * lines' reservation attempts beyond the first and lines whose last inventory call failed.
     */
    activitySince(since: Date): Promise<OrderActivity[]> {
      return db.$queryRaw<OrderActivity[]>`
        SELECT o.status, o.created_at AS "createdAt",
          CASE WHEN o.status = ANY(${[...TERMINAL_STATUSES]}) THEN o.updated_at END AS "settledAt",
          COALESCE(sum(GREATEST(l.attempts - 1, 0)), 0)::int AS retries, count(l.last_error)::int AS failures
        FROM orders o LEFT JOIN order_lines l ON l.order_id = o.id
        WHERE o.created_at >= ${since} OR o.updated_at >= ${since}
        GROUP BY o.id`;
    },

    /** Orders accepted and not yet terminal. */
    async countOpen(): Promise<number> {
      const [row] = await db.$queryRaw<{ open: bigint }[]>`
        SELECT count(*) AS open FROM orders WHERE NOT (status = ANY(${[...TERMINAL_STATUSES]}))`;
      return Number(row?.open ?? 0);
    },

    /** Orders in a non-terminal status not updated for `afterMs`: wedged sagas (the CONFIRMED in their return window are terminal). */
    async countStuck(afterMs: number): Promise<number> {
      const [row] = await db.$queryRaw<{ stuck: bigint }[]>`
        SELECT count(*) AS stuck FROM orders
        WHERE NOT (status = ANY(${[...TERMINAL_STATUSES]})) AND updated_at < now() - make_interval(secs => ${afterMs / 1000})`;
      return Number(row?.stuck ?? 0);
    },
  };
}

export interface OrderActivity {
  status: OrderStatus;
  createdAt: Date;
  /** Its last transition, when that made it terminal (CONFIRMED keeps no completed_at while returnable). */
  settledAt: Date | null;
  retries: number;
  failures: number;
}

export type OrderRecords = ReturnType<typeof createOrderRecords>;
export type { KeyClaim, OrderWithLines } from './key-claims';
export { UnstorableTransition } from './store';
export { viewFromRequest, viewFromRow, viewFromState } from './views';
