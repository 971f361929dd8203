import { ORDER_ID_PATTERN, ORDER_STATUSES } from '../../../shared/contract/orders';
import type { OrderEvent, OrderStatus, OrderView } from './types';

export { ORDER_STATUSES };
export const ORDER_ID = new RegExp(ORDER_ID_PATTERN);

export function parseStatus(value: string | null): OrderStatus | undefined {
  return ORDER_STATUSES.find((status) => status === value);
}

/** PENDING can be cancelled, CONFIRMED returned; the gateway has the last word (409). */
export function canCancel(status: OrderStatus): boolean {
  return status === 'PENDING' || status === 'CONFIRMED';
}

/** UTC and fixed-format, so server and browser render the same text. */
export function formatTime(iso: string | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

export function linesSummary(order: Pick<OrderView, 'lines'>): string {
  return order.lines.map((line) => `${line.item_id} × ${line.quantity}`).join(', ');
}

/** The newest status each order reached over the event stream. */
export type LiveStatuses = Record<string, { status: OrderStatus; version: number }>;

/** Keeps an event only when it is newer than what is known: events may arrive late or twice. */
export function applyOrderEvent(live: LiveStatuses, event: OrderEvent): LiveStatuses {
  const known = live[event.orderId];
  if (known && known.version >= event.version) return live;
  return { ...live, [event.orderId]: { status: event.status, version: event.version } };
}

export function withLiveStatus<T extends Pick<OrderView, 'id' | 'status' | 'version'>>(order: T, live: LiveStatuses): T {
  const newer = live[order.id];
  return newer && newer.version > order.version ? { ...order, status: newer.status, version: newer.version } : order;
}
