import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import { runArrivals } from '../shared/arrivals';
import { sampleOrderBody } from '../shared/order-mix';
import { distribution } from './stats';

export interface OrderLoadRun {
  baseUrl: string;
  /** Sent as `Authorization: Bearer`: a gateway client's API key. */
  apiKey: string;
  /** accept: new keys; replay: the first replayCount keys of keyPrefix again, with the same bodies. */
  mode: 'accept' | 'replay';
  rate: number;
  durationS: number;
  keyPrefix: string;
  items: readonly string[];
  /** Share of orders with 2-4 lines; the rest are the seed's single-item body. */
  multiShare: number;
  replayCount?: number;
  /** Called with each answer as it comes: progress lines of long runs. */
  onAnswer?: (answer: { ok: boolean; latencyMs: number }) => void;
}

export interface OrderLoadResult {
  planned: number;
  ok: number;
  failed: number;
  dropped: number;
  /** Answers that did (replay) or did not (accept) carry Idempotency-Replayed when they should. */
  replayMismatch: number;
  /** POST round trip of the 201/202 answers, ms. */
  latency: { p50: number; p95: number; p99: number; max: number };
}

function post(agent: http.Agent, url: URL, apiKey: string, body: string, key: string): Promise<{ status: number; replayed: boolean }> {
  return new Promise((resolve, reject) => {
    const request = (url.protocol === 'https:' ? https : http).request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          authorization: `Bearer ${apiKey}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'idempotency-key': key,
        },
      },
      (response) => {
        response.resume();
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, replayed: response.headers['idempotency-replayed'] === 'true' }),
        );
        response.on('error', reject);
      },
    );
    request.setTimeout(30_000, () => request.destroy(new Error('no answer in 30 s')));
    request.on('error', reject);
    request.end(body);
  });
}

/**
 * POST /api/orders at a constant arrival rate (open model) with a fresh Idempotency-Key per
 * order, or replays of earlier keys (http or https). The bench and `npm run load` run it in their own process.
 */
export async function runOrderLoad(run: OrderLoadRun, signal?: AbortSignal): Promise<OrderLoadResult> {
  const url = new URL('/api/orders', run.baseUrl);
  const agentOptions = { keepAlive: true, maxSockets: Math.max(100, run.rate * 2) };
  const agent = url.protocol === 'https:' ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
  const latencies: number[] = [];
  let failed = 0;
  let replayMismatch = 0;
  try {
    const { planned, dropped } = await runArrivals(
      { rate: run.rate, durationS: run.durationS, maxInFlight: Math.max(100, run.rate * 2), signal },
      async (i) => {
        const n = run.mode === 'replay' ? i % Math.max(1, run.replayCount ?? 1) : i;
        const sentAt = performance.now();
        try {
          const answer = await post(
            agent,
            url,
            run.apiKey,
            JSON.stringify(sampleOrderBody(n, run.items, run.multiShare)),
            `${run.keyPrefix}${n}`,
          );
          const latencyMs = performance.now() - sentAt;
          const ok = answer.status === 201 || answer.status === 202;
          run.onAnswer?.({ ok, latencyMs });
          if (!ok) {
            failed += 1;
            return;
          }
          latencies.push(latencyMs);
          if (answer.replayed !== (run.mode === 'replay')) replayMismatch += 1;
        } catch {
          failed += 1;
          run.onAnswer?.({ ok: false, latencyMs: performance.now() - sentAt });
        }
      },
    );
    const latency = distribution(latencies);
    return {
      planned,
      ok: latencies.length,
      failed,
      dropped,
      replayMismatch,
      latency: { p50: latency.p50, p95: latency.p95, p99: latency.p99, max: latency.max },
    };
  } finally {
    agent.destroy();
  }
}
