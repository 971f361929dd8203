/**
 * The order saga's Temporal interface: task queue, workflow types, search attribute, queries,
 * signals and updates. Imported by workflow code, so it stays deterministic and free of Node
 * built-ins; the order's own shapes are in contract/orders.ts.
 */
import { defineSearchAttributeKey } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { CancelOutcome, CancelRequest, OrderState } from './contract/orders';

export const TASK_QUEUE = 'orders';
/** The workflow type the gateway starts; workflows/order.workflow.ts explains the versions. */
export const ORDER_WORKFLOW_TYPE = 'orderWorkflowV2';
/** Every saga version a worker still runs, oldest first. */
export const ORDER_WORKFLOW_TYPES = ['orderWorkflow', ORDER_WORKFLOW_TYPE] as const;

/**
 * The order's status as a Temporal search attribute, for filtering in the Web UI. The gateway
 * sets PENDING when it starts the workflow; the saga upserts every later status.
 */
export const orderStatusSearchAttribute = defineSearchAttributeKey('OrderStatus', 'KEYWORD');

/** Failure type of a transition the orders database refuses for its values: never retried. */
export const ORDER_RECORD_REJECTED = 'OrderRecordRejected';

export const getOrderState = defineQuery<OrderState>('getOrderState');
/**
 * The cancel the gateway sends. A signal is in the workflow's history before any worker acts on
 * it, so once sent it cannot be lost; an ignored one (nothing left to cancel) changes nothing.
 */
export const cancelOrder = defineSignal<[CancelRequest]>('cancelOrder');
/**
 * Cancel that answers: rejected when nothing can be cancelled any more, else the state once
 * cancelled. Kept for direct Temporal clients and for histories that hold it; the gateway sends
 * the signal instead, because an update lost with a Temporal restart before its acceptance is
 * stored leaves behind what the worker already recorded of it (a CANCELLING row, stock held).
 */
export const requestCancel = defineUpdate<OrderState, [CancelRequest]>('requestCancel');
/**
 * Read-only, sent after the cancelOrder signal: waits up to `timeoutMs` until the order is
 * CANCELLED or FAILED or the cancel was not taken, and answers either way.
 */
export const awaitCancel = defineUpdate<CancelOutcome, [number]>('awaitCancel');
/** Waits up to `timeoutMs` for a terminal status and returns the state either way. */
export const awaitOutcome = defineUpdate<OrderState, [number]>('awaitOutcome');

/**
 * What the Temporal Web UI shows of an order (single-line Temporal markdown): the workflow's
 * summary the gateway sets at start, and each activity's. Item ids hold no markdown characters
 * (ITEM_ID_PATTERN).
 */
export const orderSummary = (lines: readonly { itemId: string; quantity: number }[]) =>
  `${lines.length} line${lines.length === 1 ? '' : 's'}: ${lines.map((line) => `${line.itemId} × ${line.quantity}`).join(', ')}`;
export const reserveSummary = (line: { itemId: string; quantity: number }) => `reserve ${line.itemId} × ${line.quantity}`;
export const releaseSummary = (line: { lineNo: number; itemId: string; quantity: number }) =>
  `release line ${line.lineNo} (${line.itemId} × ${line.quantity})`;
export const recordSummary = (status: string) => `record ${status}`;
