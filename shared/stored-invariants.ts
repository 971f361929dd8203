import type pg from 'pg';
import { isTerminal, type OrderStatus } from './contract/orders';

/**
 * The invariants the orders and inventory databases alone must keep: the ledger, stock and each
 * order's reservations. Checked at the end of a chaos run (chaos/invariants.ts adds those of
 * Temporal and the event stream) and on a restored backup (backup/restore-drill.ts).
 */

export interface InvariantResult {
  name: string;
  ok: boolean;
  detail: string;
}

export interface OrderRow {
  id: string;
  status: string;
  version: number;
}

interface LineRow {
  order_id: string;
  item_id: string;
  quantity: number;
  reservation_id: string;
}

interface ReservationRow {
  reservation_id: string;
  item_id: string;
  quantity: number;
  status: string;
}

export const sample = (values: string[]) =>
  values.length > 3 ? `${values.slice(0, 3).join(', ')} … (+${values.length - 3})` : values.join(', ');

export function result(name: string, failures: string[], okDetail: string): InvariantResult {
  return {
    name,
    ok: failures.length === 0,
    detail: failures.length === 0 ? okDetail : `${failures.length} violation(s): ${sample(failures)}`,
  };
}

export interface StoredInvariantOptions {
  /**
   * Whether an order not yet terminal may hold reservations. Not at the end of a chaos run
   * (every order has settled); yes in a restored backup, taken while orders were in flight.
   */
  inFlightMayHold?: boolean;
}

/** The invariants the two databases alone must keep: the ledger, stock and each order's reservations. */
export async function checkStoredInvariants(
  ordersDb: pg.Pool,
  inventoryDb: pg.Pool,
  options: StoredInvariantOptions = {},
): Promise<InvariantResult[]> {
  const orders = (await ordersDb.query<OrderRow>('SELECT id, status, version FROM orders')).rows;
  const lines = (await ordersDb.query<LineRow>('SELECT order_id, item_id, quantity, reservation_id FROM order_lines')).rows;
  const reservations = (await inventoryDb.query<ReservationRow>('SELECT reservation_id, item_id, quantity, status FROM reservations')).rows;
  const reservationsById = new Map(reservations.map((row) => [row.reservation_id, row]));
  const results: InvariantResult[] = [];

  const duplicates = await inventoryDb.query<{ reservation_id: string; kind: string; n: number }>(
    `SELECT reservation_id, kind, count(*)::int AS n FROM stock_movements
     WHERE reservation_id IS NOT NULL GROUP BY reservation_id, kind HAVING count(*) > 1`,
  );
  results.push(
    result(
      'no reservation id applied twice',
      duplicates.rows.map((row) => `${row.reservation_id} ${row.kind} x${row.n}`),
      `${reservations.length} reservation ids, each reserved and released at most once`,
    ),
  );

  const balance = await inventoryDb.query<{ item_id: string; initial_stock: number; restocked: number; stock: number; reserved: number }>(
    `SELECT i.item_id, i.initial_stock, i.restocked, i.stock,
       COALESCE((SELECT SUM(r.quantity) FROM reservations r WHERE r.item_id = i.item_id AND r.status = 'RESERVED'), 0)::int AS reserved
     FROM items i`,
  );
  results.push(
    result(
      'initial + restocked = stock + reserved (not released), per item',
      balance.rows
        .filter((row) => row.initial_stock + row.restocked !== row.stock + row.reserved)
        .map((row) => `${row.item_id}: ${row.initial_stock}+${row.restocked} != ${row.stock}+${row.reserved}`),
      `${balance.rows.length} items balanced`,
    ),
  );

  const negative = await inventoryDb.query<{ item_id: string; low: number }>(
    `SELECT item_id, min(running)::int AS low FROM (
       SELECT item_id, SUM(delta) OVER (PARTITION BY item_id ORDER BY id) AS running FROM stock_movements) ledger
     GROUP BY item_id HAVING min(running) < 0
     UNION ALL SELECT item_id, stock FROM items WHERE stock < 0`,
  );
  results.push(
    result(
      'stock never below zero (now, and at every step of the ledger)',
      negative.rows.map((row) => `${row.item_id}: ${row.low}`),
      'never negative',
    ),
  );

  const lineFailures: string[] = [];
  const linesByOrder = new Map<string, LineRow[]>();
  for (const line of lines) linesByOrder.set(line.order_id, [...(linesByOrder.get(line.order_id) ?? []), line]);
  const reservedByConfirmed = new Set<string>();
  const heldInFlight = new Set<string>();
  for (const order of orders) {
    for (const line of linesByOrder.get(order.id) ?? []) {
      const reservation = reservationsById.get(line.reservation_id);
      if (order.status === 'CONFIRMED') {
        reservedByConfirmed.add(line.reservation_id);
        if (reservation?.status !== 'RESERVED' || reservation.quantity !== line.quantity || reservation.item_id !== line.item_id) {
          lineFailures.push(`${line.reservation_id} of CONFIRMED order is ${reservation?.status ?? 'missing'}`);
        }
      } else if ((order.status === 'FAILED' || order.status === 'CANCELLED') && reservation?.status === 'RESERVED') {
        lineFailures.push(`${line.reservation_id} of ${order.status} order still reserved`);
      } else if (options.inFlightMayHold && !isTerminal(order.status as OrderStatus)) {
        heldInFlight.add(line.reservation_id);
      }
    }
  }
  for (const reservation of reservations) {
    const held = reservedByConfirmed.has(reservation.reservation_id) || heldInFlight.has(reservation.reservation_id);
    if (reservation.status === 'RESERVED' && !held) {
      lineFailures.push(
        `${reservation.reservation_id} reserved without a CONFIRMED${options.inFlightMayHold ? ' or in-flight' : ''} order`,
      );
    }
  }
  results.push(
    result(
      options.inFlightMayHold
        ? 'CONFIRMED orders have every line reserved; FAILED/CANCELLED have every line released; only those and in-flight orders hold stock'
        : 'CONFIRMED orders have every line reserved; FAILED/CANCELLED have every line released',
      lineFailures,
      `${lines.length} lines match their order's status`,
    ),
  );

  return results;
}
