/**
 * The longest latency chaos mode adds to a call: the inventory API's limit and the dashboard
 * form's. A module of its own, free of TypeBox, so the dashboard's browser bundle stays small.
 */
export const MAX_CHAOS_LATENCY_MS = 60_000;
