import { Type, type Static } from '@sinclair/typebox';
import { ITEM_ID_MAX_LENGTH, ITEM_ID_PATTERN, MAX_QUANTITY } from './orders';

export const ItemId = Type.String({
  minLength: 1,
  maxLength: ITEM_ID_MAX_LENGTH,
  pattern: ITEM_ID_PATTERN,
  description: 'Item id, e.g. ps5',
});
const Quantity = Type.Integer({ minimum: 1, maximum: MAX_QUANTITY });
const ReservationId = Type.String({
  minLength: 1,
  maxLength: 200,
  pattern: '^[\\x21-\\x7e]+$',
  description: 'Unique per reservation (visible ASCII); a repeat changes nothing',
});

export const Item = Type.Object({
  item_id: Type.String(),
  name: Type.String(),
  stock: Type.Integer({ description: 'Units available now' }),
  reserved: Type.Integer({ description: 'Units held by reservations not released' }),
  initial_stock: Type.Integer(),
  restocked: Type.Integer(),
  updated_at: Type.String({ format: 'date-time' }),
});

export const DeductBody = Type.Object(
  { item_id: ItemId, quantity: Quantity, reservation_id: ReservationId },
  { additionalProperties: false },
);
export type DeductBody = Static<typeof DeductBody>;

export const DeductResult = Type.Object({
  reservation_id: Type.String(),
  item_id: Type.String(),
  quantity: Type.Integer(),
  replayed: Type.Boolean({ description: 'True when this reservation id had been applied before' }),
  stock: Type.Optional(Type.Integer({ description: 'Units left after this reservation' })),
});

export const ReleaseBody = Type.Object({ reservation_id: ReservationId, item_id: ItemId }, { additionalProperties: false });

export const ReleaseResult = Type.Object({
  reservation_id: Type.String(),
  outcome: Type.Union([Type.Literal('released'), Type.Literal('already-released'), Type.Literal('released-before-reserved')]),
  quantity: Type.Integer({ description: 'Units given back by this call' }),
});

/** Units one restock may add. */
export const MAX_RESTOCK = 1_000_000;
/** Units an item may hold, far inside INTEGER; the items_stock_capped constraint holds the same. */
export const MAX_STOCK = 100_000_000;

export const RestockBody = Type.Object(
  { quantity: Type.Integer({ minimum: 1, maximum: MAX_RESTOCK, description: `At most ${MAX_RESTOCK}; stock stays at most ${MAX_STOCK}` }) },
  { additionalProperties: false },
);

export const AuditRow = Type.Object({
  item_id: Type.String(),
  stock: Type.Integer(),
  reserved: Type.Integer(),
  initial_stock: Type.Integer(),
  restocked: Type.Integer(),
  ledger_total: Type.Integer(),
  consistent: Type.Boolean(),
});
