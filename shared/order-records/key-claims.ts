import { Prisma, type OrderLine, type Order } from '../../generated/orders-client/client';
import type { OrdersDb } from '../orders-db';

export type OrderWithLines = Order & { lines: OrderLine[] };

export type KeyClaim =
  | { claimed: true }
  /** The key was claimed before: by which request (its fingerprint), and the order's row if written yet. */
  | { claimed: false; requestHash: string; row: OrderWithLines | null };

interface ClaimRow {
  claimed: boolean;
  requestHash: string | null;
  order:
    | (Omit<OrderWithLines, 'createdAt' | 'updatedAt' | 'completedAt'> & Record<'createdAt' | 'updatedAt' | 'completedAt', string | null>)
    | null;
}

/**
 * Claims an Idempotency-Key, and on a replay reads its fingerprint and the order with its lines
 * in the same statement: a replay is one round trip.
 */
export interface KeyClaimRequest {
  clientId: string;
  key: string;
  orderId: string;
  requestHash: string;
}

export async function claimKey(db: OrdersDb, claim: KeyClaimRequest): Promise<KeyClaim> {
  const [result] = await db.$queryRaw<ClaimRow[]>(Prisma.sql`
    WITH claim AS (
      INSERT INTO idempotency_keys (client_id, key, order_id, request_hash)
      VALUES (${claim.clientId}, ${claim.key}, ${claim.orderId}, ${claim.requestHash})
      -- No conflict target: two racing claims of one key may collide on order_id (derived from
      -- client and key) before them, and a targeted ON CONFLICT would raise that as an error.
      ON CONFLICT DO NOTHING
      RETURNING key
    )
    SELECT
      EXISTS (SELECT 1 FROM claim) AS claimed,
      k.request_hash AS "requestHash",
      CASE WHEN o.id IS NULL THEN NULL ELSE json_build_object(
        'id', o.id, 'clientId', o.client_id, 'status', o.status, 'reason', o.reason, 'version', o.version,
        'createdAt', o.created_at, 'updatedAt', o.updated_at, 'completedAt', o.completed_at,
        'timeline', o.timeline, 'cancelRequested', o.cancel_requested, 'lastError', o.last_error,
        'lines', COALESCE((
          SELECT json_agg(json_build_object(
            'orderId', l.order_id, 'lineNo', l.line_no, 'itemId', l.item_id, 'quantity', l.quantity,
            'reservationId', l.reservation_id, 'status', l.status, 'attempts', l.attempts,
            'lastError', l.last_error) ORDER BY l.line_no)
          FROM order_lines l WHERE l.order_id = o.id), '[]'::json)
      ) END AS "order"
    FROM (VALUES (1)) AS one (x)
    LEFT JOIN idempotency_keys k ON k.client_id = ${claim.clientId} AND k.key = ${claim.key}
    LEFT JOIN orders o ON o.id = k.order_id`);
  if (result!.claimed) return { claimed: true };
  if (result!.requestHash === null) {
    // A concurrent request claimed the key and committed while this statement waited for it;
    // the statement's snapshot predates that commit, so read again.
    const [key, row] = await Promise.all([
      db.idempotencyKey.findUniqueOrThrow({ where: { clientId_key: { clientId: claim.clientId, key: claim.key } } }),
      db.order.findUnique({ where: { id: claim.orderId }, include: { lines: true } }),
    ]);
    return { claimed: false, requestHash: key.requestHash, row };
  }
  const order = result!.order;
  const row = order && {
    ...order,
    createdAt: new Date(order.createdAt!),
    updatedAt: new Date(order.updatedAt!),
    completedAt: order.completedAt === null ? null : new Date(order.completedAt),
  };
  return { claimed: false, requestHash: result!.requestHash, row };
}
