import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { FastifyBaseLogger } from 'fastify';
import type { OrdersDb } from '../../../shared/orders-db';
import { createOrderRecords, viewFromRequest, viewFromRow, viewFromState, type OrderWithLines } from '../../../shared/order-records';
import {
  ORDER_ID_PATTERN,
  TERMINAL_STATUSES,
  type OrderLineInput,
  type OrderPolicy,
  type OrderStatus,
} from '../../../shared/contract/orders';
import {
  ORDER_WORKFLOW_TYPE,
  awaitCancel,
  awaitOutcome,
  cancelOrder,
  getOrderState,
  orderStatusSearchAttribute,
  orderSummary,
} from '../../../shared/order-workflow';
import type { orderWorkflowV2 } from '../../../workflows';
import type { Caller } from '../clients/keys';
import {
  CancelNotDelivered,
  IdempotencyKeyReused,
  InvalidCursor,
  OrderNotCancellable,
  OrderNotFound,
  OrderStateUnavailable,
} from './errors';
import { orderIdFor, requestHashFor } from './idempotency';
import type { OrderView } from '../../../shared/contract/order-api';

export interface PlaceOrderResult {
  view: OrderView;
  replayed: boolean;
}

const QUERY_DEADLINE_MS = 3000;
const CANCEL_WAIT_MS = 10_000;

export interface OrderServiceDeps {
  temporal: Client;
  db: OrdersDb;
  policy: OrderPolicy;
  taskQueue: string;
  log: FastifyBaseLogger;
}

export type OrderService = ReturnType<typeof createOrderService>;

export function createOrderService({ temporal, db, policy, taskQueue, log }: OrderServiceDeps) {
  const isTerminal = (status: string) => TERMINAL_STATUSES.includes(status as OrderStatus);

  const records = createOrderRecords(db);
  const readRow = records.read;

  /**
   * Refuses an order the caller does not own as "not found", so ids of others' orders reveal
   * nothing. The key claim names the owner from before the workflow starts.
   */
  async function assertVisible(caller: Caller, orderId: string): Promise<void> {
    if (caller.role === 'admin') return;
    if ((await records.ownerOf(orderId)) !== caller.id) throw new OrderNotFound(orderId);
  }

  async function startWorkflow(orderId: string, clientId: string, lines: OrderLineInput[]): Promise<void> {
    try {
      await temporal.workflow.start<typeof orderWorkflowV2>(ORDER_WORKFLOW_TYPE, {
        taskQueue,
        workflowId: orderId,
        args: [{ orderId, clientId, lines, policy }],
        // A running order with this id is attached to, a finished one is never started again.
        workflowIdConflictPolicy: 'USE_EXISTING',
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        typedSearchAttributes: [{ key: orderStatusSearchAttribute, value: 'PENDING' }],
        // What the Temporal Web UI lists instead of a bare workflow type.
        staticSummary: orderSummary(lines),
        staticDetails: `Order \`${orderId}\` of client \`${clientId}\`\n\n${lines.map((line, index) => `${index + 1}. ${line.itemId} × ${line.quantity}`).join('\n')}`,
      });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
  }

  /** Waits up to waitMs for a terminal status; undefined when the workflow could not answer in time. */
  async function waitForOutcome(orderId: string, waitMs: number) {
    try {
      return await temporal.withDeadline(Date.now() + waitMs + 2000, () =>
        temporal.workflow.getHandle(orderId).executeUpdate(awaitOutcome, { args: [waitMs] }),
      );
    } catch (err) {
      log.debug({ err, orderId }, 'no outcome within the wait');
      return undefined;
    }
  }

  /**
   * Live state from the workflow. Without its answer (no worker in time): the read model's row or,
   * before the saga's first write, `known`.
   */
  async function liveView(orderId: string, row: OrderWithLines | null, known?: OrderView): Promise<OrderView> {
    try {
      const state = await temporal.withDeadline(Date.now() + QUERY_DEADLINE_MS, () =>
        temporal.workflow.getHandle(orderId).query(getOrderState),
      );
      return viewFromState(state);
    } catch (err) {
      if (row) return viewFromRow(row);
      if (known) return known;
      if (err instanceof WorkflowNotFoundError) throw new OrderNotFound(orderId);
      throw new OrderStateUnavailable((err as Error).message);
    }
  }

  async function refusalFromRow(orderId: string): Promise<Error> {
    const row = await readRow(orderId);
    if (!row) return new OrderNotFound(orderId);
    return new OrderNotCancellable(`the order is ${row.status} and can no longer be cancelled`);
  }

  async function readOrder(orderId: string): Promise<OrderView> {
    const row = await readRow(orderId);
    if (row && isTerminal(row.status)) return viewFromRow(row);
    return liveView(orderId, row);
  }

  return {
    async getOrder(caller: Caller, orderId: string): Promise<OrderView> {
      await assertVisible(caller, orderId);
      return readOrder(orderId);
    },

    /**
     * Claims the key, then starts (or attaches to) the order's workflow. Safe to repeat at any
     * moment: the claim and the workflow id both derive from the key.
     */
    async placeOrder(caller: Caller, key: string, lines: OrderLineInput[], waitMs: number): Promise<PlaceOrderResult> {
      const orderId = orderIdFor(caller.id, key);
      const requestHash = requestHashFor(lines);
      const claim = await records.claimKey({ clientId: caller.id, key, orderId, requestHash });
      const replayed = !claim.claimed;
      if (!claim.claimed && claim.requestHash !== requestHash) throw new IdempotencyKeyReused(orderId);
      const row = claim.claimed ? null : claim.row;
      // An order already in the read model has run: never start it again, even after Temporal's
      // retention has dropped its history. Otherwise (first request, or a retry after a crash
      // between claim and start) start it; USE_EXISTING attaches to a running one.
      if (!row) await startWorkflow(orderId, caller.id, lines);
      if (row && isTerminal(row.status)) return { view: viewFromRow(row), replayed };

      if (waitMs > 0) {
        const state = await waitForOutcome(orderId, waitMs);
        if (state) return { view: viewFromState(state), replayed };
      }
      const accepted = viewFromRequest(orderId, lines);
      if (!replayed) return { view: accepted, replayed };
      // The workflow exists (started above or by the first request); with no row written yet it is
      // still PENDING, so a replay is answered even when no worker answers the query in time.
      return { view: await liveView(orderId, row, accepted), replayed };
    },

    /** Newest first: a client's own orders, or every order for an admin. */
    async listOrders(caller: Caller, filter: { status?: OrderStatus; limit: number; cursor?: string }) {
      const after = filter.cursor === undefined ? undefined : decodeCursor(filter.cursor);
      const rows = await records.list({
        clientId: caller.role === 'admin' ? undefined : caller.id,
        status: filter.status,
        after,
        limit: filter.limit,
      });
      const page = rows.slice(0, filter.limit);
      const last = page.at(-1);
      return {
        orders: page.map(viewFromRow),
        next_cursor: rows.length > filter.limit && last ? encodeCursor(last.createdAt, last.id) : undefined,
      };
    },

    /**
     * Signals the saga to cancel, then waits a little for it to finish compensating. Answers only
     * once the signal is stored, so an acknowledged cancel happens whatever fails next; repeating
     * one is safe (the saga ignores a second).
     */
    async cancelOrder(caller: Caller, orderId: string, reason: string | undefined): Promise<{ view: OrderView; settled: boolean }> {
      await assertVisible(caller, orderId);
      const handle = temporal.workflow.getHandle(orderId);
      try {
        await temporal.withDeadline(Date.now() + QUERY_DEADLINE_MS, () => handle.signal(cancelOrder, { reason }));
      } catch (err) {
        // Finished workflows (a closed return window, a failed order) take no more signals.
        if (err instanceof WorkflowNotFoundError) throw await refusalFromRow(orderId);
        throw new CancelNotDelivered((err as Error).message);
      }
      try {
        const { state, refusal } = await temporal.withDeadline(Date.now() + CANCEL_WAIT_MS + QUERY_DEADLINE_MS, () =>
          handle.executeUpdate(awaitCancel, { args: [CANCEL_WAIT_MS] }),
        );
        if (refusal) throw new OrderNotCancellable(refusal);
        return { view: viewFromState(state), settled: state.status === 'CANCELLED' || state.status === 'FAILED' };
      } catch (err) {
        if (err instanceof OrderNotCancellable) throw err;
        if (err instanceof WorkflowNotFoundError) {
          // It finished between the signal and the wait: cancelled, or its return window closed first.
          const row = await readRow(orderId);
          if (row?.status === 'CONFIRMED') throw new OrderNotCancellable('the return window has closed');
          if (row && isTerminal(row.status)) return { view: viewFromRow(row), settled: true };
        }
        log.warn({ err, orderId }, 'cancel not settled in time');
        return { view: await readOrder(orderId), settled: false };
      }
    },
  };
}

function encodeCursor(createdAt: Date, id: string): string {
  return Buffer.from(`${createdAt.toISOString()}|${id}`).toString('base64url');
}

/** Only cursors this service wrote decode; anything else is the client's mistake, not a first page. */
function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  const [iso, id, ...rest] = Buffer.from(cursor, 'base64url').toString().split('|');
  const createdAt = new Date(iso ?? '');
  const written = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(iso ?? '') && !Number.isNaN(createdAt.getTime());
  if (!written || !id || !new RegExp(ORDER_ID_PATTERN).test(id) || rest.length > 0) throw new InvalidCursor(cursor);
  return { createdAt, id };
}
