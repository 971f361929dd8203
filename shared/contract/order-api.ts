import { Type, type Static } from '@sinclair/typebox';
import { ITEM_ID_MAX_LENGTH, ITEM_ID_PATTERN, MAX_LINES, MAX_QUANTITY, ORDER_ID_PATTERN, ORDER_STATUSES, type OrderStatus } from './orders';
import { SAFE_TEXT_PATTERN } from './text';

export const MAX_PREFER_WAIT_SECONDS = 30;

const ItemId = Type.String({ minLength: 1, maxLength: ITEM_ID_MAX_LENGTH, pattern: ITEM_ID_PATTERN, examples: ['ps5'] });
const Quantity = Type.Integer({ minimum: 1, maximum: MAX_QUANTITY, examples: [2] });
const LineInput = Type.Object({ item_id: ItemId, quantity: Quantity }, { additionalProperties: false });

export const CreateOrderBody = Type.Union(
  [
    Type.Object({ item_id: ItemId, quantity: Quantity }, { additionalProperties: false, title: 'SingleItemOrder' }),
    Type.Object(
      { lines: Type.Array(LineInput, { minItems: 1, maxItems: MAX_LINES }) },
      { additionalProperties: false, title: 'MultiLineOrder' },
    ),
  ],
  { description: "The seed's single-item body, or several lines (the saga)." },
);
export type CreateOrderBody = Static<typeof CreateOrderBody>;

const OrderStatusSchema = Type.Unsafe<OrderStatus>({ type: 'string', enum: [...ORDER_STATUSES] });

/** Published to the Redis stream on every recorded transition, and relayed over SSE. */
export const OrderEventSchema = Type.Object({
  eventId: Type.String({ description: '`${orderId}:${version}`: the same transition always carries the same id' }),
  orderId: Type.String(),
  status: OrderStatusSchema,
  version: Type.Integer(),
  reason: Type.Optional(Type.String()),
  at: Type.String({ format: 'date-time' }),
});
export type OrderEvent = Static<typeof OrderEventSchema>;

const OrderLineView = Type.Object({
  line_no: Type.Integer(),
  item_id: Type.String(),
  quantity: Type.Integer(),
  reservation_id: Type.String(),
  status: Type.String({ description: 'PENDING, RESERVING, RESERVED, REJECTED or RELEASED' }),
  attempts: Type.Integer({ description: 'Inventory calls it took to reserve this line' }),
  last_error: Type.Optional(Type.String()),
});

const TimelineEntryView = Type.Object({
  at: Type.String({ format: 'date-time' }),
  status: Type.String(),
  step: Type.String(),
  line_no: Type.Optional(Type.Integer()),
  detail: Type.Optional(Type.String()),
});

export const OrderView = Type.Object({
  id: Type.String(),
  status: OrderStatusSchema,
  reason: Type.Optional(Type.String()),
  last_error: Type.Optional(Type.String()),
  lines: Type.Array(OrderLineView),
  cancel_requested: Type.Boolean(),
  version: Type.Integer({ description: 'Transitions recorded so far' }),
  created_at: Type.Optional(Type.String({ format: 'date-time' })),
  updated_at: Type.Optional(Type.String({ format: 'date-time' })),
  completed_at: Type.Optional(Type.String({ format: 'date-time' })),
  timeline: Type.Array(TimelineEntryView),
  source: Type.Union([Type.Literal('workflow'), Type.Literal('database'), Type.Literal('request')], {
    description: 'Where this view came from: a live workflow query, the orders database, or the accepted request',
  }),
  replayed: Type.Optional(Type.Boolean({ description: 'True when this answer replays an earlier request with the same key' })),
});
export type OrderView = Static<typeof OrderView>;

export const OrderIdParams = Type.Object({ id: Type.String({ pattern: ORDER_ID_PATTERN, description: 'ord_ + 32 hex' }) });

export const ListOrdersQuery = Type.Object({
  status: Type.Optional(OrderStatusSchema),
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
});

export const OrderList = Type.Object({
  orders: Type.Array(OrderView),
  next_cursor: Type.Optional(Type.String({ description: 'Pass as ?cursor= for the next page' })),
});

export const CancelBody = Type.Union([
  Type.Object({
    reason: Type.Optional(Type.String({ maxLength: 500, pattern: SAFE_TEXT_PATTERN, description: 'Free text; no control characters' })),
  }),
  Type.Null(),
]);

export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ description: '1-255 visible ASCII characters; a UUID is recommended' })),
  prefer: Type.Optional(Type.String({ description: 'wait=N (N <= 30): hold the answer until the order settles' })),
});
