import { MAX_CHAOS_LATENCY_MS } from '../../../shared/contract/chaos-limits';
import { CHAOS_RATES, type ChaosState, type ChaosUpdate } from './types';

export const MAX_LATENCY_MS = MAX_CHAOS_LATENCY_MS;

/** The chaos form shows rates as percentages; the inventory service takes 0..1. */
export function readChaosForm(form: FormData): { ok: true; update: ChaosUpdate } | { ok: false; error: string } {
  const latencyMs = Number(form.get('latency_ms') ?? 0);
  if (!Number.isInteger(latencyMs) || latencyMs < 0 || latencyMs > MAX_LATENCY_MS) {
    return { ok: false, error: `Latency must be a whole number of milliseconds from 0 to ${MAX_LATENCY_MS}.` };
  }
  const update: ChaosUpdate = { enabled: form.get('enabled') === 'on', latency_ms: latencyMs };
  for (const rate of CHAOS_RATES) {
    const percent = Number(form.get(rate) ?? 0);
    if (!Number.isFinite(percent) || percent < 0 || percent > 100)
      return { ok: false, error: `${rateLabel(rate)} must be from 0 to 100 %.` };
    update[rate] = Math.round(percent * 100) / 10_000;
  }
  return { ok: true, update };
}

export function rateLabel(rate: (typeof CHAOS_RATES)[number]): string {
  return {
    latency_rate: 'Share of calls delayed',
    crash_rate: 'Failure before commit (5xx)',
    lost_response_rate: 'Lost response (commit, then drop the connection)',
    kill_rate: 'Process crash',
  }[rate];
}

export function toPercent(rate: number): number {
  return Math.round(rate * 1000) / 10;
}

/** One line for the overview: what chaos is doing now. */
export function describeChaos(state: ChaosState): string {
  if (!state.enabled) return 'Off';
  const parts: string[] = [];
  if (state.latency_rate > 0 && state.latency_ms > 0)
    parts.push(`${state.latency_ms} ms latency on ${toPercent(state.latency_rate)} % of calls`);
  if (state.crash_rate > 0) parts.push(`${toPercent(state.crash_rate)} % failures before commit`);
  if (state.lost_response_rate > 0) parts.push(`${toPercent(state.lost_response_rate)} % lost responses`);
  if (state.kill_rate > 0) parts.push(`${toPercent(state.kill_rate)} % process crashes`);
  return parts.length > 0 ? `On: ${parts.join(', ')}` : 'On, with no fault configured';
}
