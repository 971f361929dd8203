import { data } from '@remix-run/node';
import { config } from '../config.server';
import { call, describeFailure, expectJson, probe, readProblem, type Probe } from './upstream.server';
import type { OrderList, OrderStatus, OrderView, Problem } from './types';
import type { DeepHealth } from '../../../shared/contract/health';
import type { LoadRequest, LoadStatus, OperatorStats } from '../../../shared/contract/operator';

export type PlaceResult = { ok: true; order: OrderView; replayed: boolean } | { ok: false; problem: Problem };
export type CancelResult = { ok: true; order: OrderView; settled: boolean } | { ok: false; problem: Problem };
export type LoadResult = { ok: true; load: LoadStatus } | { ok: false; problem: Problem };

export interface ListQuery {
  status?: OrderStatus;
  limit: number;
  cursor?: string;
}

const STREAM_ID = /^\d+-\d+$/;
/** The gateway answers a cancel within 10 s (202 if compensation is still running). */
const CANCEL_TIMEOUT_MS = 15_000;
const EVENT_RECONNECT_MS = 3_000;
/**
 * How long one relayed event stream lives before the browser is sent to reconnect (with its
 * Last-Event-ID, so nothing is missed). Behind remix-serve, a loader's request.signal stops
 * firing once the Request objects Remix derives from it are garbage collected, and nothing
 * cancels the body when the browser leaves; only this bounds how long a gateway connection stays.
 */
const EVENT_STREAM_LIFETIME_MS = 5 * 60_000;
const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  // no-transform also keeps remix-serve's compression from buffering the stream.
  'cache-control': 'no-cache, no-transform',
  'x-accel-buffering': 'no',
};

/**
 * The gateway's REST API, called from loaders and actions only, always as the admin; the token
 * never leaves the server. With several gateways, a request a gateway cannot take (down,
 * unreachable, timed out) goes to the next one, which stays the one used until it fails in turn.
 * Repeating a request elsewhere is safe: an order carries its Idempotency-Key, a cancel of a
 * cancelled order is answered with the order.
 */
export function createGatewayClient(
  baseUrls: string[],
  adminToken: string,
  timeoutMs = 10_000,
  eventStreamLifetimeMs = EVENT_STREAM_LIFETIME_MS,
) {
  if (baseUrls.length === 0) throw new Error('createGatewayClient: no gateway URL');
  const admin = { authorization: `Bearer ${adminToken}` };
  let current = 0;
  const url = (path: string, query: Record<string, string | number | undefined> = {}, base = baseUrls[current]!) => {
    const target = new URL(path, base);
    for (const [name, value] of Object.entries(query)) if (value !== undefined) target.searchParams.set(name, String(value));
    return target;
  };
  const failOver = (from: number) => {
    if (current === from) current = (from + 1) % baseUrls.length;
  };
  /** The operator API's 4xx answers, in words: an older gateway has no such route, a wrong token is refused. */
  const operatorProblem = async (response: Response, path: string): Promise<Problem> => {
    const problem = await readProblem(response);
    if (response.status === 401 || response.status === 403)
      return { ...problem, detail: 'The gateway refused the dashboard’s admin token: check ADMIN_TOKEN on both.' };
    if (response.status === 404) return { ...problem, detail: `This gateway has no operator API (${path}).` };
    return problem;
  };
  /** One call of the load generator's route: its status, or the gateway's refusal (4xx, or 503 without items) as a problem. */
  const loadCall = async (init: RequestInit): Promise<LoadResult> => {
    const response = await request('/api/admin/load', {}, { ...init, headers: { ...admin, ...init.headers }, timeoutMs });
    if ((response.status >= 400 && response.status < 500) || response.status === 503)
      return { ok: false, problem: await operatorProblem(response, '/api/admin/load') };
    return { ok: true, load: await expectJson<LoadStatus>('gateway', response) };
  };
  /** One call, on each gateway in turn until one answers. */
  const request = async (path: string, query: Record<string, string | number | undefined>, init: RequestInit & { timeoutMs: number }) => {
    let lastError: unknown;
    for (let attempt = 0; attempt < baseUrls.length; attempt += 1) {
      const index = current;
      try {
        return await call('gateway', url(path, query, baseUrls[index]), init);
      } catch (err) {
        lastError = err;
        failOver(index);
      }
    }
    throw lastError;
  };

  return {
    async listOrders(query: ListQuery, timeout = timeoutMs): Promise<OrderList> {
      return expectJson('gateway', await request('/api/orders', { ...query }, { headers: admin, timeoutMs: timeout }));
    },

    async getOrder(id: string): Promise<OrderView | null> {
      const response = await request(`/api/orders/${encodeURIComponent(id)}`, {}, { headers: admin, timeoutMs });
      if (response.status === 404) return null;
      return expectJson('gateway', response);
    },

    async placeOrder(key: string, lines: { item_id: string; quantity: number }[]): Promise<PlaceResult> {
      const response = await request(
        '/api/orders',
        {},
        {
          method: 'POST',
          headers: { ...admin, 'content-type': 'application/json', 'idempotency-key': key },
          body: JSON.stringify({ lines }),
          timeoutMs,
        },
      );
      if (response.status >= 400 && response.status < 500) return { ok: false, problem: await readProblem(response) };
      const order = await expectJson<OrderView>('gateway', response);
      return { ok: true, order, replayed: response.headers.get('idempotency-replayed') === 'true' || order.replayed === true };
    },

    async cancelOrder(id: string): Promise<CancelResult> {
      const response = await request(
        `/api/orders/${encodeURIComponent(id)}/cancel`,
        {},
        {
          method: 'POST',
          headers: { ...admin, 'content-type': 'application/json' },
          body: JSON.stringify({ reason: 'cancelled from the dashboard' }),
          timeoutMs: CANCEL_TIMEOUT_MS,
        },
      );
      if (response.status >= 400 && response.status < 500) return { ok: false, problem: await readProblem(response) };
      const order = await expectJson<OrderView>('gateway', response);
      return { ok: true, order, settled: response.status === 200 };
    },

    /** GET /api/admin/stats: the last two minutes in 5 s buckets, and the load generator's status. */
    async operatorStats(timeout = timeoutMs): Promise<OperatorStats> {
      const response = await request('/api/admin/stats', {}, { headers: admin, timeoutMs: timeout });
      if (response.status >= 400 && response.status < 500)
        throw data(await operatorProblem(response, '/api/admin/stats'), { status: response.status });
      return expectJson('gateway', response);
    },

    /** GET /api/admin/load: whether the load generator runs, and what it placed. */
    loadStatus: () => loadCall({}),

    /**
     * POST /api/admin/load: starts placing real orders. A 409 problem while a load already runs,
     * a 400 one on bad input, a 503 one when the gateway cannot list the items to order.
     */
    startLoad: (load: LoadRequest) =>
      loadCall({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(load) }),

    /** DELETE /api/admin/load: stops the load generator (answered the same when none runs). */
    stopLoad: () => loadCall({ method: 'DELETE' }),

    /**
     * The gateway's SSE stream, passed through to the browser. If the gateway cannot be
     * reached, a stream that only says "retry later" keeps the browser's EventSource
     * reconnecting (with its Last-Event-ID) instead of giving up.
     */
    async orderEvents(lastEventId: string | null, signal: AbortSignal): Promise<Response> {
      const headers: Record<string, string> = { ...admin, accept: 'text/event-stream' };
      if (lastEventId && STREAM_ID.test(lastEventId)) headers['last-event-id'] = lastEventId;
      const upstream = new AbortController();
      const abort = () => upstream.abort();
      if (signal.aborted) abort();
      signal.addEventListener('abort', abort, { once: true });
      const connectTimer = setTimeout(abort, timeoutMs);
      const index = current;
      try {
        const response = await fetch(url('/api/orders/events'), { headers, signal: upstream.signal });
        if (!response.ok || !response.body) {
          await response.body?.cancel();
          throw new Error(`HTTP ${response.status}`);
        }
        const lifetime = setTimeout(abort, eventStreamLifetimeMs);
        upstream.signal.addEventListener('abort', () => clearTimeout(lifetime), { once: true });
        return new Response(relay(response.body, upstream), { headers: SSE_HEADERS });
      } catch (err) {
        signal.removeEventListener('abort', abort);
        // The browser reconnects in a moment: to the next gateway.
        if (!signal.aborted) failOver(index);
        const reason = describeFailure(err, timeoutMs).replace(/\n/g, ' ');
        return new Response(`retry: ${EVENT_RECONNECT_MS}\nevent: unavailable\ndata: ${reason}\n\n`, { headers: SSE_HEADERS });
      } finally {
        clearTimeout(connectTimer);
      }
    },

    /** GET /health of whichever gateway answers: resolves when one is alive. */
    async ping(): Promise<void> {
      const response = await request('/health', {}, { timeoutMs: 2_000 });
      await response.body?.cancel();
      if (!response.ok) throw new Error(`gateway /health answered ${response.status}`);
    },

    /** GET /health/deep: the gateway's own view of its dependencies (answered with 200 or 503). */
    async deepHealth(): Promise<{ probe: Probe; body: DeepHealth | null }> {
      const result = await probe(url('/health/deep'), 5_000, { headers: admin });
      try {
        return { probe: result, body: result.body ? (JSON.parse(result.body) as DeepHealth) : null };
      } catch {
        return { probe: { ...result, error: 'unreadable answer' }, body: null };
      }
    },
  };
}

/** The upstream body passed on; it ends when the upstream is aborted, and cancelling it aborts the upstream. */
function relay(body: ReadableStream<Uint8Array>, upstream: AbortController): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch {
        // Aborted (browser gone, lifetime over) or the gateway went away: the browser reconnects.
        controller.close();
      }
    },
    cancel() {
      upstream.abort();
    },
  });
}

export type { DeepHealth, LoadRequest, LoadStatus, OperatorStats };

export type GatewayClient = ReturnType<typeof createGatewayClient>;

export const gateway = createGatewayClient(config.gatewayUrls, config.adminToken);
