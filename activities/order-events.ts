import type { Redis } from 'ioredis';
import type { OrderEvent } from '../shared/contract/order-api';
import { ORDER_EVENTS_STREAM, eventIdFor, type OrderState } from '../shared/contract/orders';

export interface OrderEventPublisher {
  publish(state: OrderState): Promise<OrderEvent>;
}

/** Approximate cap on the stream's length; consumers that fall further behind re-read the database. */
const STREAM_MAX_LENGTH = 100_000;

function toOrderEvent(state: OrderState): OrderEvent {
  return {
    eventId: eventIdFor(state.orderId, state.version),
    orderId: state.orderId,
    status: state.status,
    version: state.version,
    reason: state.reason,
    at: state.updatedAt,
  };
}

/**
 * XADD to `orders.events`. A retried activity may publish the same transition twice; the
 * event id is derived from order and version, so consumers de-duplicate on it.
 */
export function createOrderEventPublisher(redis: Redis): OrderEventPublisher {
  return {
    async publish(state) {
      const event = toOrderEvent(state);
      await redis.xadd(
        ORDER_EVENTS_STREAM,
        'MAXLEN',
        '~',
        STREAM_MAX_LENGTH,
        '*',
        'event_id',
        event.eventId,
        'order_id',
        event.orderId,
        // Lets the gateway show a client only its own orders' events without parsing data.
        'client_id',
        state.clientId ?? '',
        'data',
        JSON.stringify(event),
      );
      return event;
    },
  };
}
