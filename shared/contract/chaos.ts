import { Type, type Static } from '@sinclair/typebox';
import { MAX_CHAOS_LATENCY_MS } from './chaos-limits';

/** Chaos mode's settings, as the inventory service stores them and the dashboard edits them. */

const Rate = (description: string) => Type.Number({ minimum: 0, maximum: 1, description });

export const ChaosSettingsSchema = Type.Object({
  enabled: Type.Boolean(),
  latency_ms: Type.Integer({ description: 'Delay added to a hit call' }),
  latency_rate: Type.Number({ description: 'Share of /api/inventory calls delayed by latency_ms' }),
  crash_rate: Type.Number({ description: 'Share of calls that fail with a 5xx before anything is committed' }),
  lost_response_rate: Type.Number({ description: 'Share of stock changes that commit, then drop the connection without an answer' }),
  kill_rate: Type.Number({ description: 'Share of stock changes that end the process abruptly (before or after the commit)' }),
  updated_at: Type.String({ format: 'date-time' }),
});
export type ChaosSettings = Static<typeof ChaosSettingsSchema>;

/** A partial update: fields left out keep their values. */
export const ChaosUpdateSchema = Type.Object(
  {
    enabled: Type.Optional(Type.Boolean({ description: 'false turns chaos off, keeping the other values' })),
    latency: Type.Optional(Type.Boolean({ description: "The seed's switch: true = 5 s on every call" })),
    latency_ms: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_CHAOS_LATENCY_MS })),
    latency_rate: Type.Optional(Rate('Share of /api/inventory calls delayed by latency_ms')),
    crash_rate: Type.Optional(Rate('Share of calls failing with 503 before any commit')),
    lost_response_rate: Type.Optional(Rate('Share of stock changes committed whose answer is dropped')),
    kill_rate: Type.Optional(Rate('Share of stock changes that end the process')),
  },
  { additionalProperties: false },
);
export type ChaosUpdate = Static<typeof ChaosUpdateSchema>;

/** The seed's `latency: true`. */
const SEED_LATENCY_MS = 5_000;

export const CHAOS_OFF: ChaosSettings = {
  enabled: false,
  latency_ms: 0,
  latency_rate: 0,
  crash_rate: 0,
  lost_response_rate: 0,
  kill_rate: 0,
  updated_at: new Date(0).toISOString(),
};

/** Applies a partial update: fields left out keep their values; any fault field switches chaos on. */
export function applyChaosUpdate(current: ChaosSettings, update: ChaosUpdate, now = new Date()): ChaosSettings {
  const { latency, ...fields } = update;
  const next: ChaosSettings = { ...current, ...fields, updated_at: now.toISOString() };
  if (latency === true) {
    next.latency_ms = update.latency_ms ?? SEED_LATENCY_MS;
    next.latency_rate = update.latency_rate ?? 1;
  } else if (latency === false) {
    next.latency_rate = 0;
  }
  next.enabled = update.enabled ?? true;
  return next;
}
