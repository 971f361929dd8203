import http from 'node:http';
import https from 'node:https';
import { ApplicationFailure } from '@temporalio/common';
import { refusalOfProblem } from '../shared/contract/refusals';

export interface ReserveRequest {
  reservationId: string;
  itemId: string;
  quantity: number;
}

export interface ReserveResult {
  /** True when the reservation id had already been applied (a retry after a lost answer). */
  replayed: boolean;
}

export interface InventoryClient {
  reserve(request: ReserveRequest, signal?: AbortSignal): Promise<ReserveResult>;
  release(request: { reservationId: string; itemId: string }, signal?: AbortSignal): Promise<void>;
}

interface Problem {
  type?: string;
  title?: string;
  detail?: string;
}

interface InventoryAnswer {
  status: number;
  body: string;
}

export interface InventoryClientOptions {
  baseUrl: string;
  requestTimeoutMs: number;
  /** The worker's credential: the inventory service lets only it reserve and release. */
  serviceToken: string;
}

/**
 * HTTP client of the inventory service. Business refusals become non-retryable
 * ApplicationFailures; everything else (5xx, timeouts, refused or dropped connections) is thrown
 * as a plain Error so the activity's retry policy takes over. node:http with a keep-alive agent
 * rather than fetch: a fraction of the CPU per call (profiled by the bench), same connection reuse.
 */
export function createInventoryClient({ baseUrl, requestTimeoutMs, serviceToken }: InventoryClientOptions): InventoryClient {
  const base = new URL(baseUrl);
  const transport = base.protocol === 'https:' ? https : http;
  const agent = new transport.Agent({ keepAlive: true });

  const post = (path: string, body: unknown, signal?: AbortSignal) =>
    new Promise<InventoryAnswer>((resolve, reject) => {
      const payload = JSON.stringify(body);
      const request = transport.request(
        new URL(path, base),
        {
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(payload),
            authorization: `Bearer ${serviceToken}`,
          },
          signal,
        },
        (response) => {
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (text += chunk));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
          response.on('error', reject);
        },
      );
      // A deadline for the whole call, answer included, not only for an idle socket.
      const deadline = setTimeout(
        () => request.destroy(new Error(`inventory did not answer within ${requestTimeoutMs} ms`)),
        requestTimeoutMs,
      );
      request.on('close', () => clearTimeout(deadline));
      request.on('error', reject);
      request.end(payload);
    });

  const call = async (path: string, body: unknown, signal?: AbortSignal): Promise<unknown> => {
    const answer = await post(path, body, signal);
    const parsed = parseJson(answer.body);
    if (answer.status >= 200 && answer.status < 300) return parsed;
    const problem = (parsed ?? {}) as Problem;
    const refusal = refusalOfProblem(problem.type, answer.status);
    const message = problem.detail ?? problem.title ?? `inventory answered HTTP ${answer.status}`;
    if (refusal) throw ApplicationFailure.nonRetryable(message, refusal.failureType);
    throw new Error(`inventory answered HTTP ${answer.status}: ${message}`);
  };
  return {
    async reserve({ reservationId, itemId, quantity }, signal) {
      const body = (await call('/api/inventory/deduct', { reservation_id: reservationId, item_id: itemId, quantity }, signal)) as
        { replayed?: boolean } | undefined;
      return { replayed: body?.replayed === true };
    },
    async release({ reservationId, itemId }, signal) {
      await call('/api/inventory/release', { reservation_id: reservationId, item_id: itemId }, signal);
    },
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
