/**
 * The harness's HTTP client behaves like a careful real client: on a network error or a 5xx
 * it retries with the same Idempotency-Key until it gets an answer or gives up.
 */
export interface ClientAnswer {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

export class GaveUp extends Error {}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function requestWithRetry(
  url: string,
  init: RequestInit,
  { giveUpAfterMs, requestTimeoutMs = 15_000 }: { giveUpAfterMs: number; requestTimeoutMs?: number },
): Promise<ClientAnswer & { attempts: number }> {
  const deadline = Date.now() + giveUpAfterMs;
  let attempts = 0;
  let lastProblem = '';
  let backoff = 100;
  while (Date.now() < deadline) {
    attempts += 1;
    try {
      const response = await fetch(url, { ...init, signal: AbortSignal.timeout(requestTimeoutMs) });
      const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
      if (response.status < 500) return { status: response.status, body, headers: response.headers, attempts };
      lastProblem = `HTTP ${response.status}`;
    } catch (err) {
      lastProblem = (err as Error).message;
    }
    await sleep(backoff + Math.random() * backoff);
    backoff = Math.min(backoff * 2, 2_000);
  }
  throw new GaveUp(`no answer after ${attempts} attempts (${lastProblem})`);
}
