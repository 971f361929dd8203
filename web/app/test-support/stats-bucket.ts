import { STATS_BUCKET_MS, type StatsBucket } from '../../../shared/contract/operator';

/** A quiet stats bucket starting at `t` (epoch ms), with the fields a test cares about. */
export function statsBucket(t: number, fields: Partial<StatsBucket> = {}): StatsBucket {
  return {
    t,
    confirmed: 0,
    failed: 0,
    cancelled: 0,
    accept_p50_ms: null,
    accept_p95_ms: null,
    end_to_end_p50_ms: null,
    end_to_end_p95_ms: null,
    backlog: 0,
    inventory_retries: 0,
    inventory_failures: 0,
    ...fields,
  };
}

export const BUCKET_MS = STATS_BUCKET_MS;
