/**
 * The order saga's contract: task queue, messages and payload types, shared by the
 * workflow, the activities, the worker and the gateway. Imported by workflow code, so it
 * must stay deterministic and free of Node built-ins.
 */
import { defineSearchAttributeKey } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';

export const TASK_QUEUE = 'orders';
/** The workflow type the gateway starts; workflows/order.workflow.ts explains the versions. */
export const ORDER_WORKFLOW_TYPE = 'orderWorkflowV2';
/** Every saga version a worker still runs, oldest first. */
export const ORDER_WORKFLOW_TYPES = ['orderWorkflow', ORDER_WORKFLOW_TYPE] as const;
export const ORDER_EVENTS_STREAM = 'orders.events';

export const ORDER_STATUSES = [
  'PENDING',
  'CONFIRMED',
  'COMPENSATING',
  'FAILED',
  'CANCELLING',
  'CANCELLED',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];
export const TERMINAL_STATUSES: readonly OrderStatus[] = ['CONFIRMED', 'FAILED', 'CANCELLED'];
/** CONFIRMED is terminal for the purchase, yet a cancel (a return) can still follow it. */
export const FINAL_STATUSES: readonly OrderStatus[] = ['FAILED', 'CANCELLED'];

/**
 * The order's status as a Temporal search attribute, for filtering in the Web UI. The gateway
 * sets PENDING when it starts the workflow; the saga upserts every later status.
 */
export const orderStatusSearchAttribute = defineSearchAttributeKey('OrderStatus', 'KEYWORD');

export function isTerminal(status: OrderStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

export type LineStatus = 'PENDING' | 'RESERVING' | 'RESERVED' | 'REJECTED' | 'RELEASED';

/** Why an order FAILED; `record_rejected`: the orders database refused its values (it compensated). */
export type FailureReason = 'out_of_stock' | 'unknown_item' | 'invalid_quantity' | 'inventory_unavailable' | 'record_rejected';

/** ApplicationFailure types the inventory activities throw; all of them are non-retryable. */
export const INVENTORY_ERRORS = {
  outOfStock: 'OutOfStock',
  unknownItem: 'UnknownItem',
  invalidQuantity: 'InvalidQuantity',
  reservationReleased: 'ReservationReleased',
} as const;

/** Failure type of a transition the orders database refuses for its values: never retried. */
export const ORDER_RECORD_REJECTED = 'OrderRecordRejected';

export interface OrderLineInput {
  itemId: string;
  quantity: number;
}

/** Timeouts chosen by the deployment (gateway config) and fixed for the order's lifetime. */
export interface OrderPolicy {
  /** How long one line may keep retrying against an unavailable inventory before the order fails. */
  inventoryDeadlineMs: number;
  /** Start-to-close timeout of one inventory call. */
  inventoryCallTimeoutMs: number;
  /** How long after CONFIRMED a cancel is still accepted, as a return. */
  returnWindowMs: number;
}

export interface OrderInput {
  orderId: string;
  /** The gateway client that placed it; absent in orders started before clients existed. */
  clientId?: string;
  lines: OrderLineInput[];
  policy: OrderPolicy;
}

export interface OrderLineState {
  lineNo: number;
  itemId: string;
  quantity: number;
  reservationId: string;
  status: LineStatus;
  attempts: number;
  lastError?: string;
}

export interface TimelineEntry {
  at: string;
  status: OrderStatus;
  lineNo?: number;
  step: string;
  detail?: string;
}

export interface OrderState {
  orderId: string;
  clientId?: string;
  status: OrderStatus;
  reason?: FailureReason | 'cancelled' | 'returned';
  lastError?: string;
  lines: OrderLineState[];
  /** Increases with every recorded transition; the read model never goes backwards. */
  version: number;
  cancelRequested: boolean;
  createdAt: string;
  updatedAt: string;
  completedAt?: string;
  timeline: TimelineEntry[];
}

export interface CancelRequest {
  reason?: string;
}

/** Published to the Redis stream on every recorded transition. */
export interface OrderEvent {
  /** `${orderId}:${version}`: the same transition always carries the same id. */
  eventId: string;
  orderId: string;
  status: OrderStatus;
  version: number;
  reason?: string;
  at: string;
}

export function reservationIdFor(orderId: string, lineNo: number): string {
  return `${orderId}:${lineNo}`;
}

export function eventIdFor(orderId: string, version: number): string {
  return `${orderId}:${version}`;
}

/**
 * Why a cancel cannot be taken now, or undefined when it can. `returnWindowOpen` is false once a
 * CONFIRMED order's return window has closed.
 */
export function cancelRefusal(state: Pick<OrderState, 'status' | 'cancelRequested'>, returnWindowOpen: boolean): string | undefined {
  if (state.cancelRequested) return 'a cancel is already in progress';
  if (state.status === 'PENDING' || (state.status === 'CONFIRMED' && returnWindowOpen)) return undefined;
  return state.status === 'CONFIRMED' ? 'the return window has closed' : `the order is already ${state.status}`;
}

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
export interface CancelOutcome {
  state: OrderState;
  /** Set when the cancel was not taken: why nothing could be cancelled. */
  refusal?: string;
}
/**
 * Read-only, sent after the cancelOrder signal: waits up to `timeoutMs` until the order is
 * CANCELLED or FAILED or the cancel was not taken, and answers either way.
 */
export const awaitCancel = defineUpdate<CancelOutcome, [number]>('awaitCancel');
/** Waits up to `timeoutMs` for a terminal status and returns the state either way. */
export const awaitOutcome = defineUpdate<OrderState, [number]>('awaitOutcome');
