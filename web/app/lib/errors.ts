import type { Problem } from './types';

export type Service = 'gateway' | 'inventory' | 'worker';

/** What a loader throws (as a 503) when a service does not answer; ErrorBoundaries put it in words. */
export interface Outage {
  outage: Service;
  detail: string;
}

export function isOutage(value: unknown): value is Outage {
  return typeof value === 'object' && value !== null && 'outage' in value && typeof value.outage === 'string';
}

export function isProblem(value: unknown): value is Problem {
  return typeof value === 'object' && value !== null && 'title' in value && 'status' in value;
}

export function problemText(problem: Problem): string {
  return problem.detail ? `${problem.title}: ${problem.detail}` : problem.title;
}
