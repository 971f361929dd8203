import type { Client } from '@temporalio/client';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import type { OrderEvent } from '../shared/contract/order-api';
import { isTerminal, ORDER_EVENTS_STREAM, type OrderStatus } from '../shared/contract/orders';
import { ORDER_WORKFLOW_TYPES } from '../shared/order-workflow';

export interface InvariantResult {
  name: string;
  ok: boolean;
  detail: string;
}

export interface InvariantInputs {
  /** Orders whose POST got a 2xx: order id by Idempotency-Key. */
  acknowledged: Map<string, string>;
  ordersDb: pg.Pool;
  inventoryDb: pg.Pool;
  redis: Redis;
  temporal: Client;
  settledWithinMs: number | undefined;
  settleLimitMs: number;
}

interface OrderRow {
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

const sample = (values: string[]) => (values.length > 3 ? `${values.slice(0, 3).join(', ')} … (+${values.length - 3})` : values.join(', '));

function result(name: string, failures: string[], okDetail: string): InvariantResult {
  return {
    name,
    ok: failures.length === 0,
    detail: failures.length === 0 ? okDetail : `${failures.length} violation(s): ${sample(failures)}`,
  };
}

async function readStream(redis: Redis): Promise<OrderEvent[]> {
  const events: OrderEvent[] = [];
  let start = '-';
  for (;;) {
    const page = (await redis.xrange(ORDER_EVENTS_STREAM, start, '+', 'COUNT', 5000)) as [string, string[]][];
    for (const [, fields] of page) {
      const data = fields[fields.indexOf('data') + 1];
      if (data) events.push(JSON.parse(data) as OrderEvent);
    }
    if (page.length < 5000) return events;
    start = `(${page.at(-1)![0]}`;
  }
}

/** Every invariant of the chaos proof, each computed from the databases, Temporal and Redis. */
export async function checkInvariants(inputs: InvariantInputs): Promise<InvariantResult[]> {
  const { acknowledged, ordersDb, inventoryDb } = inputs;
  const orders = (await ordersDb.query<OrderRow>('SELECT id, status, version FROM orders')).rows;
  const ordersById = new Map(orders.map((order) => [order.id, order]));
  const keys = (await ordersDb.query<{ key: string; order_id: string }>('SELECT key, order_id FROM idempotency_keys')).rows;

  const runsByWorkflowId = new Map<string, number>();
  for await (const execution of inputs.temporal.workflow.list({
    query: `WorkflowType IN (${ORDER_WORKFLOW_TYPES.map((type) => `'${type}'`).join(', ')})`,
  })) {
    runsByWorkflowId.set(execution.workflowId, (runsByWorkflowId.get(execution.workflowId) ?? 0) + 1);
  }
  const keyRows = new Map<string, string[]>();
  for (const row of keys) keyRows.set(row.key, [...(keyRows.get(row.key) ?? []), row.order_id]);

  const results: InvariantResult[] = [];

  const onceFailures: string[] = [];
  for (const [key, orderId] of acknowledged) {
    const runs = runsByWorkflowId.get(orderId) ?? 0;
    if (runs !== 1) onceFailures.push(`${orderId}: ${runs} workflow runs`);
    if (!ordersById.has(orderId)) onceFailures.push(`${orderId}: no orders row`);
    const claimed = keyRows.get(key) ?? [];
    if (claimed.length !== 1 || claimed[0] !== orderId) onceFailures.push(`${key}: key rows ${JSON.stringify(claimed)}`);
  }
  results.push(
    result(
      'every acknowledged order exists exactly once (1 workflow, 1 row)',
      onceFailures,
      `${acknowledged.size} acknowledged, each with 1 workflow and 1 row`,
    ),
  );

  results.push(...(await checkStoredInvariants(ordersDb, inventoryDb)));

  const notTerminal = [...acknowledged.values()].filter((id) => !isTerminal((ordersById.get(id)?.status ?? 'missing') as OrderStatus));
  const settled = inputs.settledWithinMs;
  results.push({
    name: `every order terminal within ${inputs.settleLimitMs / 1000} s of the last fault`,
    ok: notTerminal.length === 0 && settled !== undefined && settled <= inputs.settleLimitMs,
    detail:
      notTerminal.length === 0 && settled !== undefined
        ? `all terminal ${(settled / 1000).toFixed(1)} s after the last fault`
        : `${notTerminal.length} not terminal: ${sample(notTerminal)}`,
  });

  const events = await readStream(inputs.redis);
  const latest = new Map<string, OrderEvent>();
  const distinct = new Map<string, Set<string>>();
  for (const event of events) {
    distinct.set(event.orderId, (distinct.get(event.orderId) ?? new Set()).add(event.eventId));
    const current = latest.get(event.orderId);
    if (!current || event.version > current.version) latest.set(event.orderId, event);
  }
  const streamFailures: string[] = [];
  for (const order of orders) {
    const last = latest.get(order.id);
    if (!last || last.status !== order.status)
      streamFailures.push(`${order.id}: stream says ${last?.status ?? 'nothing'}, database ${order.status}`);
    else if (distinct.get(order.id)!.size !== order.version)
      streamFailures.push(`${order.id}: ${distinct.get(order.id)!.size} events for ${order.version} transitions`);
  }
  results.push(
    result(
      "each order's de-duplicated stream events match its final status",
      streamFailures,
      `${events.length} events (${events.length - [...distinct.values()].reduce((n, ids) => n + ids.size, 0)} repeats dropped) match ${orders.length} orders`,
    ),
  );
  return results;
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
