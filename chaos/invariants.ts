import type { Client } from '@temporalio/client';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { checkStoredInvariants, type InvariantResult, type OrderRow, result, sample } from '../shared/stored-invariants';
import type { OrderEvent } from '../shared/contract/order-api';
import { isTerminal, ORDER_EVENTS_STREAM, type OrderStatus } from '../shared/contract/orders';
import { ORDER_WORKFLOW_TYPES } from '../shared/order-workflow';

export type { InvariantResult };

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
