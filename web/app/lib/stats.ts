import type { OrderStatus } from './types';

/** The gateway lists at most this many orders per page; counts at the cap are shown as "200+". */
export const STATS_SAMPLE = 200;
const RATE_WINDOW_MS = 5 * 60_000;

export interface CappedCount {
  count: number;
  /** More exist than were read. */
  capped: boolean;
}

export interface OrderRate {
  lastMinute: number;
  perMinute: number;
  /** The sample ran out inside the window, so the true rate is higher. */
  lowerBound: boolean;
}

/** Orders per minute over the last five minutes, from the newest orders' created_at. */
export function orderRate(createdAt: (string | undefined)[], capped: boolean, now: Date): OrderRate {
  const ages = createdAt.flatMap((at) => (at ? [now.getTime() - new Date(at).getTime()] : []));
  const inWindow = ages.filter((age) => age <= RATE_WINDOW_MS);
  const lastMinute = ages.filter((age) => age <= 60_000).length;
  const oldest = Math.max(...ages, 0);
  return {
    lastMinute,
    perMinute: Math.round((inWindow.length / (RATE_WINDOW_MS / 60_000)) * 10) / 10,
    lowerBound: capped && oldest <= RATE_WINDOW_MS,
  };
}

export interface OrderStats {
  total: CappedCount;
  rate: OrderRate;
  byStatus: ({ status: OrderStatus } & CappedCount)[];
}

export function formatCount({ count, capped }: CappedCount): string {
  return capped ? `${count}+` : String(count);
}
