import type { OrderLine as OrderLineRow, Order as OrderRow } from '../../generated/orders-client/client';
import type { OrderLineInput, OrderState, OrderStatus, TimelineEntry } from '../contract/orders';
import { reservationIdFor } from '../contract/orders';
import type { OrderView } from '../contract/order-api';

const optional = <T>(value: T | null | undefined): T | undefined => (value === null ? undefined : value);

function timelineView(timeline: TimelineEntry[]): OrderView['timeline'] {
  return timeline.map((entry) => ({
    at: entry.at,
    status: entry.status,
    step: entry.step,
    line_no: entry.lineNo,
    detail: entry.detail,
  }));
}

/** A line as the workflow holds it or as the database stores it (null for absent). */
type LineSource = Pick<OrderLineRow, 'lineNo' | 'itemId' | 'quantity' | 'reservationId' | 'status' | 'attempts'> & {
  lastError?: string | null;
};

export function lineView(line: LineSource): OrderView['lines'][number] {
  return {
    line_no: line.lineNo,
    item_id: line.itemId,
    quantity: line.quantity,
    reservation_id: line.reservationId,
    status: line.status,
    attempts: line.attempts,
    last_error: optional(line.lastError),
  };
}

export function viewFromState(state: OrderState): OrderView {
  return {
    id: state.orderId,
    status: state.status,
    reason: state.reason,
    last_error: state.lastError,
    lines: state.lines.map(lineView),
    cancel_requested: state.cancelRequested,
    version: state.version,
    created_at: state.createdAt,
    updated_at: state.updatedAt,
    completed_at: state.completedAt,
    timeline: timelineView(state.timeline),
    source: 'workflow',
  };
}

export function viewFromRow(row: OrderRow & { lines: OrderLineRow[] }): OrderView {
  const timeline = row.timeline as unknown as TimelineEntry[];
  return {
    id: row.id,
    status: row.status as OrderStatus,
    reason: optional(row.reason),
    last_error: optional(row.lastError),
    lines: [...row.lines].sort((a, b) => a.lineNo - b.lineNo).map(lineView),
    cancel_requested: row.cancelRequested,
    version: row.version,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
    completed_at: row.completedAt?.toISOString(),
    timeline: timelineView(timeline),
    source: 'database',
  };
}

/** What we know the instant an order is accepted, before the workflow has run a step. */
export function viewFromRequest(orderId: string, lines: OrderLineInput[]): OrderView {
  return {
    id: orderId,
    status: 'PENDING',
    lines: lines.map((line, index) => ({
      line_no: index + 1,
      item_id: line.itemId,
      quantity: line.quantity,
      reservation_id: reservationIdFor(orderId, index + 1),
      status: 'PENDING',
      attempts: 0,
    })),
    cancel_requested: false,
    version: 0,
    timeline: [],
    source: 'request',
  };
}
