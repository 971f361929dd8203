import { Type, type Static } from '@sinclair/typebox';

/** Stable RFC 9457 problem `type` URIs shared by the gateway, the inventory service and their clients. */
const BASE = 'https://valerix.dev/problems';

export const PROBLEM_TYPES = {
  validation: `${BASE}/validation-error`,
  idempotencyKeyMissing: `${BASE}/idempotency-key-missing`,
  idempotencyKeyInvalid: `${BASE}/idempotency-key-invalid`,
  idempotencyKeyReused: `${BASE}/idempotency-key-reused`,
  orderNotFound: `${BASE}/order-not-found`,
  orderNotCancellable: `${BASE}/order-not-cancellable`,
  outOfStock: `${BASE}/out-of-stock`,
  unknownItem: `${BASE}/unknown-item`,
  reservationReleased: `${BASE}/reservation-released`,
  stockLimitExceeded: `${BASE}/stock-limit-exceeded`,
  unauthorized: `${BASE}/unauthorized`,
  forbidden: `${BASE}/forbidden`,
  notFound: `${BASE}/not-found`,
  payloadTooLarge: `${BASE}/payload-too-large`,
  unsupportedMediaType: `${BASE}/unsupported-media-type`,
  requestTimeout: `${BASE}/request-timeout`,
  rateLimited: `${BASE}/rate-limited`,
  loadAlreadyRunning: `${BASE}/load-already-running`,
  dependencyUnavailable: `${BASE}/dependency-unavailable`,
  internal: `${BASE}/internal-error`,
} as const;

export type ProblemType = (typeof PROBLEM_TYPES)[keyof typeof PROBLEM_TYPES];

export interface Problem {
  type: ProblemType;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  [extension: string]: unknown;
}

/** RFC 9457 body, for route response schemas (extensions pass through). */
export const ProblemSchema = Type.Object(
  {
    type: Type.String({ format: 'uri' }),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.Optional(Type.String()),
    instance: Type.Optional(Type.String()),
  },
  { additionalProperties: true, description: 'application/problem+json (RFC 9457)' },
);
/** A problem body as any client reads it: its `type` may be one this contract does not list yet. */
export type WireProblem = Static<typeof ProblemSchema>;
