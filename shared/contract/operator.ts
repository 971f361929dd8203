import { Type, type Static } from '@sinclair/typebox';

/**
 * The operator view's wire shapes: the gateway's recent-activity stats (charts) and its load
 * generator. Admin only, both.
 */

/** The charts' span and resolution: 24 buckets of 5 s. */
export const STATS_WINDOW_MS = 120_000;
export const STATS_BUCKET_MS = 5_000;

const Ms = (description: string) =>
  Type.Union([Type.Number(), Type.Null()], { description: `${description}; null when nothing was measured` });

export const StatsBucketSchema = Type.Object({
  t: Type.Integer({ description: 'Bucket start, epoch ms' }),
  confirmed: Type.Integer({ description: 'Orders that reached CONFIRMED in the bucket' }),
  failed: Type.Integer({ description: 'Orders that ended FAILED in the bucket' }),
  cancelled: Type.Integer({ description: 'Orders that ended CANCELLED in the bucket' }),
  accept_p50_ms: Ms('POST /api/orders answered by this gateway, p50'),
  accept_p95_ms: Ms('The same, p95'),
  end_to_end_p50_ms: Ms('Acceptance to a terminal status of the orders settled in the bucket, p50'),
  end_to_end_p95_ms: Ms('The same, p95'),
  backlog: Type.Integer({ description: 'Orders accepted and not yet terminal at the end of the bucket' }),
  inventory_retries: Type.Integer({ description: 'Reservation attempts beyond the first, of the orders settled in the bucket' }),
  inventory_failures: Type.Integer({ description: 'Lines whose last inventory call failed, of the orders settled in the bucket' }),
});
export type StatsBucket = Static<typeof StatsBucketSchema>;

/** Orders per second the load generator may be asked for, and for how long: a hard cap. */
export const LOAD_MAX_RATE = 50;
export const LOAD_MAX_DURATION_S = 600;

export const LoadRequestSchema = Type.Object(
  {
    rate: Type.Integer({ minimum: 1, maximum: LOAD_MAX_RATE, description: 'Orders per second' }),
    duration_s: Type.Integer({ minimum: 1, maximum: LOAD_MAX_DURATION_S, description: 'Stops by itself after this' }),
    multi_share: Type.Number({ minimum: 0, maximum: 1, default: 0.3, description: 'Share of orders with 2-4 lines' }),
  },
  { additionalProperties: false },
);
export type LoadRequest = Static<typeof LoadRequestSchema>;

export const LoadStatusSchema = Type.Object({
  running: Type.Boolean(),
  rate: Type.Integer(),
  duration_s: Type.Integer(),
  started_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  ends_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  placed: Type.Integer({ description: 'Orders accepted so far (real orders, of the client load-generator)' }),
  failed: Type.Integer({ description: 'Orders the gateway refused or could not place' }),
});
export type LoadStatus = Static<typeof LoadStatusSchema>;

export const OperatorStatsSchema = Type.Object({
  window_ms: Type.Integer(),
  bucket_ms: Type.Integer(),
  buckets: Type.Array(StatsBucketSchema),
  load: LoadStatusSchema,
});
export type OperatorStats = Static<typeof OperatorStatsSchema>;
