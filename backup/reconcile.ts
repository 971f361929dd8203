import type pg from 'pg';
import { createInventoryStore } from '../api/inventory/store';
import { isTerminal, type OrderStatus } from '../shared/contract/orders';

export interface ReconcileReport {
  /** Reservations given back: their order had failed, was cancelled, or was not in the orders dump. */
  released: { reservationId: string; orderId?: string; why: 'failed' | 'cancelled' | 'no order' }[];
  /** CONFIRMED orders whose reservation the inventory dump does not hold as RESERVED: for a person to look at. */
  confirmedWithoutReservation: { orderId: string; reservationId: string; found: string }[];
  /** Orders not terminal when the orders database was dumped: their workflows own them (and their reservations). */
  inFlight: number;
}

/**
 * Makes a restored pair of databases agree. The orders dump is the older one (backup.ts), so a
 * reservation can be newer than what the orders database knows: one whose order ended FAILED or
 * CANCELLED, or is absent, is released through the inventory's own idempotent release (stock
 * and ledger together). A CONFIRMED order is never changed here; one without its reservation
 * (cancelled between the two dumps) is reported.
 */
export async function reconcile(ordersDb: pg.Pool, inventoryDb: pg.Pool): Promise<ReconcileReport> {
  const orders = new Map(
    (await ordersDb.query<{ id: string; status: OrderStatus }>('SELECT id, status FROM orders')).rows.map((row) => [row.id, row.status]),
  );
  const lines = (await ordersDb.query<{ order_id: string; reservation_id: string }>('SELECT order_id, reservation_id FROM order_lines'))
    .rows;
  const orderOfReservation = new Map(lines.map((line) => [line.reservation_id, line.order_id]));
  const reservations = (
    await inventoryDb.query<{ reservation_id: string; item_id: string; status: string }>(
      'SELECT reservation_id, item_id, status FROM reservations',
    )
  ).rows;
  const reservationStatus = new Map(reservations.map((row) => [row.reservation_id, row.status]));
  const store = createInventoryStore(inventoryDb);

  const report: ReconcileReport = { released: [], confirmedWithoutReservation: [], inFlight: 0 };
  for (const reservation of reservations.filter((row) => row.status === 'RESERVED')) {
    const orderId = orderOfReservation.get(reservation.reservation_id);
    const status = orderId ? orders.get(orderId) : undefined;
    const why = status === 'FAILED' ? 'failed' : status === 'CANCELLED' ? 'cancelled' : status === undefined ? 'no order' : undefined;
    if (!why) continue;
    await store.release(reservation.reservation_id, reservation.item_id);
    report.released.push({ reservationId: reservation.reservation_id, orderId, why });
  }
  for (const line of lines) {
    if (orders.get(line.order_id) !== 'CONFIRMED') continue;
    const found = reservationStatus.get(line.reservation_id) ?? 'missing';
    if (found !== 'RESERVED')
      report.confirmedWithoutReservation.push({ orderId: line.order_id, reservationId: line.reservation_id, found });
  }
  report.inFlight = [...orders.values()].filter((status) => !isTerminal(status)).length;
  return report;
}
