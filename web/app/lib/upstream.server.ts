import { data } from '@remix-run/node';
import type { Outage, Service } from './errors';
import type { Problem } from './types';

function outage(service: Service, detail: string) {
  return data<Outage>({ outage: service, detail }, { status: 503 });
}

/** Why a call got no answer, in words a person can act on. */
export function describeFailure(err: unknown, timeoutMs: number): string {
  const error = err as { name?: string; message?: string; cause?: { code?: string } };
  if (error.name === 'TimeoutError' || error.name === 'AbortError') return `no answer within ${timeoutMs / 1000} s`;
  if (error.cause?.code === 'ECONNREFUSED') return 'connection refused (is it running?)';
  return error.cause?.code ?? error.message ?? String(err);
}

/** fetch with a deadline; a service that cannot be reached becomes a thrown 503 outage. */
export async function call(service: Service, url: URL, init: RequestInit & { timeoutMs: number }): Promise<Response> {
  const { timeoutMs, ...rest } = init;
  try {
    return await fetch(url, { ...rest, signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    throw outage(service, describeFailure(err, timeoutMs));
  }
}

/** The problem+json body of an error answer, or one made from the status line when there is none. */
export async function readProblem(response: Response): Promise<Problem> {
  const fallback: Problem = { type: 'about:blank', title: response.statusText || `HTTP ${response.status}`, status: response.status };
  try {
    const body = (await response.json()) as Partial<Problem>;
    return typeof body.title === 'string' ? { ...fallback, ...body, status: response.status } : fallback;
  } catch {
    return fallback;
  }
}

/** A 2xx answer's JSON. A 5xx is thrown as an outage of that service, a 4xx as its problem. */
export async function expectJson<T>(service: Service, response: Response): Promise<T> {
  if (response.ok) return (await response.json()) as T;
  const problem = await readProblem(response);
  if (response.status >= 500)
    throw outage(service, `it answered ${response.status} ${problem.title}${problem.detail ? ` (${problem.detail})` : ''}`);
  throw data(problem, { status: response.status });
}

export interface Probe {
  /** The round trip, body included. */
  latencyMs: number;
  /** HTTP status, or undefined when nothing answered. */
  status?: number;
  body?: string;
  error?: string;
}

/** Times one GET; never throws, since a health page must show a dead service, not fail with it. */
export async function probe(url: URL, timeoutMs: number, init: RequestInit = {}): Promise<Probe> {
  const started = performance.now();
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    const body = await response.text();
    return { latencyMs: performance.now() - started, status: response.status, body };
  } catch (err) {
    return { latencyMs: performance.now() - started, error: describeFailure(err, timeoutMs) };
  }
}
