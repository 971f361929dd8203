import pg from 'pg';
import { TERMINAL_STATUSES } from '../shared/contract/orders';

/**
 * What the orders database says about the orders of one load step, found by their Idempotency-Key
 * prefix: the primary key's btree serves the range [prefix, prefix with its last character + 1).
 */
export interface PrefixCounts {
  accepted: number;
  confirmed: number;
  /** FAILED or CANCELLED: the bench's stock never runs out, so any of these is a defect. */
  failed: number;
  /** Accepted but not terminal, including keys whose workflow has not written its first row yet. */
  backlog: number;
}

export interface EndToEnd {
  /** Key claimed by the gateway (idempotency_keys.created_at) → CONFIRMED in the workflow. */
  acceptToConfirmedMs: number[];
  /** Workflow start (orders.created_at) → CONFIRMED: the saga alone. */
  sagaMs: number[];
}

export interface ThroughputWindow {
  /** Orders of the run confirmed between its first accept + settle and its last accept. */
  confirmedInWindow: number;
  windowS: number;
}

function keyRange(prefix: string): [string, string] {
  const last = prefix.charCodeAt(prefix.length - 1);
  return [prefix, prefix.slice(0, -1) + String.fromCharCode(last + 1)];
}

// The CONFIRMED entry of the timeline JSONB, the first with that status (later ones, like a
// cancel request, keep it); updated_at when a row has no timeline.
const CONFIRMED_AT = `COALESCE(
  (SELECT (e.value->>'at')::timestamptz FROM jsonb_array_elements(o.timeline) WITH ORDINALITY e
   WHERE e.value->>'status' = 'CONFIRMED' ORDER BY e.ordinality LIMIT 1),
  o.updated_at)`;

export function createOrdersProbe(databaseUrl: string) {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  return {
    async counts(prefix: string): Promise<PrefixCounts> {
      const { rows } = await pool.query<PrefixCounts>(
        `SELECT count(*)::int AS accepted,
           (count(*) FILTER (WHERE o.status = 'CONFIRMED'))::int AS confirmed,
           (count(*) FILTER (WHERE o.status IN ('FAILED', 'CANCELLED')))::int AS failed,
           (count(*) FILTER (WHERE o.id IS NULL OR NOT (o.status = ANY($3))))::int AS backlog
         FROM idempotency_keys k LEFT JOIN orders o ON o.id = k.order_id
         WHERE k.key >= $1 AND k.key < $2`,
        [...keyRange(prefix), [...TERMINAL_STATUSES]],
      );
      return rows[0]!;
    },

    /**
     * Confirmations per second while the load ran: the window starts settleMs after the first
     * accept (in-flight work fills up first) and ends at the last accept.
     */
    async throughput(prefix: string, settleMs: number): Promise<ThroughputWindow> {
      const { rows } = await pool.query<{ first: Date | null; last: Date | null; confirmed: number }>(
        `WITH run AS (
           SELECT k.created_at AS accepted_at, CASE WHEN o.status = 'CONFIRMED' THEN ${CONFIRMED_AT} END AS confirmed_at
           FROM idempotency_keys k LEFT JOIN orders o ON o.id = k.order_id
           WHERE k.key >= $1 AND k.key < $2),
         span AS (SELECT min(accepted_at) AS first, max(accepted_at) AS last FROM run)
         SELECT span.first, span.last,
           (SELECT count(*) FROM run WHERE confirmed_at >= span.first + $3 * interval '1 millisecond' AND confirmed_at < span.last)::int AS confirmed
         FROM span`,
        [...keyRange(prefix), settleMs],
      );
      const row = rows[0]!;
      const firstAccept = row.first?.getTime() ?? 0;
      const lastAccept = row.last?.getTime() ?? 0;
      return { confirmedInWindow: row.confirmed, windowS: Math.max(0, (lastAccept - firstAccept - settleMs) / 1000) };
    },

    async endToEnd(prefix: string): Promise<EndToEnd> {
      const { rows } = await pool.query<{ accept_ms: number; saga_ms: number }>(
        `SELECT EXTRACT(EPOCH FROM (c.at - k.created_at)) * 1000 AS accept_ms,
                EXTRACT(EPOCH FROM (c.at - o.created_at)) * 1000 AS saga_ms
         FROM idempotency_keys k
         JOIN orders o ON o.id = k.order_id
         CROSS JOIN LATERAL (SELECT ${CONFIRMED_AT} AS at) c
         WHERE k.key >= $1 AND k.key < $2 AND o.status = 'CONFIRMED'`,
        keyRange(prefix),
      );
      return { acceptToConfirmedMs: rows.map((r) => Number(r.accept_ms)), sagaMs: rows.map((r) => Number(r.saga_ms)) };
    },

    close: () => pool.end(),
  };
}

export type OrdersProbe = ReturnType<typeof createOrdersProbe>;
