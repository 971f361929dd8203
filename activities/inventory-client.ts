import { ApplicationFailure } from '@temporalio/common';
import { INVENTORY_ERRORS } from '../shared/orders';
import { PROBLEM_TYPES } from '../shared/problems';

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

const NON_RETRYABLE: Record<string, string> = {
  [PROBLEM_TYPES.outOfStock]: INVENTORY_ERRORS.outOfStock,
  [PROBLEM_TYPES.unknownItem]: INVENTORY_ERRORS.unknownItem,
  [PROBLEM_TYPES.validation]: INVENTORY_ERRORS.invalidQuantity,
  [PROBLEM_TYPES.reservationReleased]: INVENTORY_ERRORS.reservationReleased,
};

/**
 * HTTP client of the inventory service. Business refusals become non-retryable
 * ApplicationFailures; everything else (5xx, timeouts, refused connections) is thrown as a
 * plain Error so the activity's retry policy takes over.
 */
export function createInventoryClient(baseUrl: string, requestTimeoutMs: number): InventoryClient {
  const call = async (path: string, body: unknown, signal?: AbortSignal): Promise<Response> => {
    const timeout = AbortSignal.timeout(requestTimeoutMs);
    const response = await fetch(new URL(path, baseUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
    if (response.ok) return response;
    const problem = (await response.json().catch(() => ({}))) as Problem;
    const failureType = problem.type ? NON_RETRYABLE[problem.type] : undefined;
    const message = problem.detail ?? problem.title ?? `inventory answered HTTP ${response.status}`;
    if (failureType && response.status < 500) throw ApplicationFailure.nonRetryable(message, failureType);
    throw new Error(`inventory answered HTTP ${response.status}: ${message}`);
  };
  return {
    async reserve({ reservationId, itemId, quantity }, signal) {
      const response = await call(
        '/api/inventory/deduct',
        { reservation_id: reservationId, item_id: itemId, quantity },
        signal,
      );
      const body = (await response.json()) as { replayed?: boolean };
      return { replayed: body.replayed === true };
    },
    async release({ reservationId, itemId }, signal) {
      const response = await call('/api/inventory/release', { reservation_id: reservationId, item_id: itemId }, signal);
      await response.body?.cancel();
    },
  };
}
