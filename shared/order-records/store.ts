import { Prisma } from '../../generated/orders-client/client';
import type { OrderState } from '../contract/orders';
import { storableText } from '../contract/text';
import type { OrdersDb } from '../orders-db';
import { isDataException } from '../postgres-errors';
import { lineView } from './views';

/** Postgres refused the values themselves (SQLSTATE class 22): a retry would fail the same way. */
export class UnstorableTransition extends Error {
  override name = 'UnstorableTransition';
}

/** JSON for a jsonb parameter, with every string made storable. */
const storableJson = (value: unknown) =>
  JSON.stringify(value, (_key, field: unknown) => (typeof field === 'string' ? storableText(field) : field));
const storableOrNull = (text: string | undefined) => (text === undefined ? null : storableText(text));

/**
 * Writes the transition unless a newer one is already stored (retries arrive late). Text is
 * stored with unstorable characters replaced; values Postgres still refuses throw
 * UnstorableTransition.
 *
 * One statement per transition: it runs on every step of every order, and a single round trip
 * costs a third of the worker CPU of Prisma's interactive transaction (measured in the bench).
 * The order row is inserted, or moved forward only; its row lock orders concurrent writers, and
 * the lines are written only when the order row was.
 */
export async function saveTransition(db: OrdersDb, state: OrderState): Promise<{ written: boolean }> {
  // The lines' columns are named as their view's fields; an absent last_error is read as null.
  const lines = state.lines.map(lineView);
  const rows = await db
    .$queryRaw<{ written: bigint }[]>(
      Prisma.sql`
        WITH saved AS (
          INSERT INTO orders (id, client_id, status, reason, version, created_at, updated_at, completed_at, timeline,
                              cancel_requested, last_error)
          VALUES (${state.orderId}, ${state.clientId ?? null}, ${state.status}, ${storableOrNull(state.reason)}, ${state.version},
                  ${new Date(state.createdAt)}, ${new Date(state.updatedAt)},
                  ${state.completedAt ? new Date(state.completedAt) : null}, ${storableJson(state.timeline)}::jsonb,
                  ${state.cancelRequested}, ${storableOrNull(state.lastError)})
          ON CONFLICT (id) DO UPDATE
            SET status = EXCLUDED.status, reason = EXCLUDED.reason, version = EXCLUDED.version,
                updated_at = EXCLUDED.updated_at, completed_at = EXCLUDED.completed_at, timeline = EXCLUDED.timeline,
                cancel_requested = EXCLUDED.cancel_requested, last_error = EXCLUDED.last_error
            WHERE orders.version < EXCLUDED.version
          RETURNING id
        ), saved_lines AS (
          INSERT INTO order_lines (order_id, line_no, item_id, quantity, reservation_id, status, attempts, last_error)
          SELECT saved.id, line.line_no, line.item_id, line.quantity, line.reservation_id, line.status, line.attempts, line.last_error
          FROM saved, jsonb_to_recordset(${storableJson(lines)}::jsonb)
            AS line(line_no int, item_id text, quantity int, reservation_id text, status text, attempts int, last_error text)
          ON CONFLICT (order_id, line_no) DO UPDATE
            SET status = EXCLUDED.status, attempts = EXCLUDED.attempts, last_error = EXCLUDED.last_error
        )
        SELECT count(*) AS written FROM saved`,
    )
    .catch((err: unknown) => {
      if (isDataException(err)) throw new UnstorableTransition(`order ${state.orderId} v${state.version}: ${(err as Error).message}`);
      throw err;
    });
  return { written: Number(rows[0]?.written ?? 0) > 0 };
}
