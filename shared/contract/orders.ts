/**
 * The order as every party sees it: statuses, limits, states and events. Browser-safe (no
 * Temporal, no Node built-ins): the dashboard imports it as the services do, and the workflow
 * too, so it stays deterministic.
 */

export const ORDER_EVENTS_STREAM = 'orders.events';

/** Lines per order and units per line, as the gateway and the dashboard's form accept them. */
export const MAX_LINES = 20;
export const MAX_QUANTITY = 1000;
/** Item ids: what the inventory stores and every body that names an item accepts. */
export const ITEM_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.-]*$';
export const ITEM_ID_MAX_LENGTH = 64;
/** Order ids derive from the client and its Idempotency-Key: `ord_` and 32 hex digits. */
export const ORDER_ID_PATTERN = '^ord_[0-9a-f]{32}$';

export const ORDER_STATUSES = ['PENDING', 'CONFIRMED', 'COMPENSATING', 'FAILED', 'CANCELLING', 'CANCELLED'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];
export const TERMINAL_STATUSES: readonly OrderStatus[] = ['CONFIRMED', 'FAILED', 'CANCELLED'];

export function isTerminal(status: OrderStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

export type LineStatus = 'PENDING' | 'RESERVING' | 'RESERVED' | 'REJECTED' | 'RELEASED';

/** Why an order FAILED; `record_rejected`: the orders database refused its values (it compensated). */
export const FAILURE_REASONS = ['out_of_stock', 'unknown_item', 'invalid_quantity', 'inventory_unavailable', 'record_rejected'] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];
/** Why an order was CANCELLED: cancelled before confirmation, or returned after it. */
export const CANCEL_REASONS = ['cancelled', 'returned'] as const;
export type CancelReason = (typeof CANCEL_REASONS)[number];

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
  reason?: FailureReason | CancelReason;
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

export interface CancelOutcome {
  state: OrderState;
  /** Set when the cancel was not taken: why nothing could be cancelled. */
  refusal?: string;
}
