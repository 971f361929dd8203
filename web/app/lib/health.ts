/** The dashboard's traffic light, matching the Grafana dashboard and the 1 s latency alert. */
const AMBER_FROM_MS = 800;
const RED_ABOVE_MS = 1000;

export type HealthLevel = 'green' | 'amber' | 'red';

export interface ServiceCheck {
  /** Stable id, e.g. `gateway`, `gateway.redis`, `inventory-api`. */
  id: string;
  label: string;
  status: 'up' | 'down';
  latencyMs: number;
  error?: string;
}

export function healthLevel(check: Pick<ServiceCheck, 'status' | 'latencyMs'>): HealthLevel {
  if (check.status === 'down' || check.latencyMs > RED_ABOVE_MS) return 'red';
  return check.latencyMs >= AMBER_FROM_MS ? 'amber' : 'green';
}

export function formatLatency(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
}
