import { ApplicationFailure, Context } from '@temporalio/activity';
import { type OrderState } from '../shared/contract/orders';
import { ORDER_RECORD_REJECTED } from '../shared/order-workflow';
import type { InventoryClient } from './inventory-client';
import type { OrderEventPublisher } from './order-events';
import { UnstorableTransition, type OrderRecords } from '../shared/order-records';

export interface OrderActivityDeps {
  inventory: InventoryClient;
  /** Only the transition write is the worker's. */
  orders: Pick<OrderRecords, 'saveTransition'>;
  events: OrderEventPublisher;
  /** Saga metrics (the worker's Prometheus registry); optional so tests can leave it out. */
  metrics?: OrderMetrics;
}

export interface OrderMetrics {
  /** Called once per transition newly written, never for a retry of one already stored. */
  transitionRecorded(state: OrderState): void;
}

/** The saga's activities, built from the clients the worker wires in (tests pass their own). */
export function createOrderActivities({ inventory, orders, events, metrics }: OrderActivityDeps) {
  return {
    /** Writes the transition to the orders database, then publishes it on the stream. */
    async recordTransition(state: OrderState): Promise<void> {
      const { written } = await orders.saveTransition(state).catch((err: unknown) => {
        // Retrying a write Postgres refuses for its values would loop forever and wedge the order.
        if (err instanceof UnstorableTransition) throw ApplicationFailure.nonRetryable(err.message, ORDER_RECORD_REJECTED);
        throw err;
      });
      // Counted before publishing: a retry after a failed publish finds the row written and counts nothing.
      if (written) metrics?.transitionRecorded(state);
      // Publish even when a newer row already exists: this transition's event may be the one
      // an earlier attempt failed to send. Its event id lets consumers drop repeats.
      await events.publish(state);
      if (!written) Context.current().log.info('transition already superseded', { orderId: state.orderId });
    },

    async reserveLine(request: { reservationId: string; itemId: string; quantity: number }) {
      const context = Context.current();
      const result = await inventory.reserve(request, context.cancellationSignal);
      return { attempt: context.info.attempt, replayed: result.replayed };
    },

    async releaseLine(request: { reservationId: string; itemId: string }): Promise<void> {
      await inventory.release(request, Context.current().cancellationSignal);
    },
  };
}

export { createInventoryClient } from './inventory-client';
export { createOrderEventPublisher } from './order-events';
