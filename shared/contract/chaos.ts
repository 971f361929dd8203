/** Chaos mode's settings, as the inventory service stores them and the dashboard edits them. */

export interface ChaosSettings {
  enabled: boolean;
  /** Delay added to a hit call. */
  latency_ms: number;
  /** Share of /api/inventory calls delayed by latency_ms. */
  latency_rate: number;
  /** Share of calls that fail with a 5xx before anything is committed. */
  crash_rate: number;
  /** Share of stock changes that commit, then drop the connection without an answer. */
  lost_response_rate: number;
  /** Share of stock changes that end the process abruptly (before or after the commit). */
  kill_rate: number;
  updated_at: string;
}

export type ChaosUpdate = Partial<Omit<ChaosSettings, 'updated_at'>> & { latency?: boolean };

/** The seed's `latency: true`. */
export const SEED_LATENCY_MS = 5_000;

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
