import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { runArrivals } from '../../../shared/arrivals';
import type { LoadRequest, LoadStatus } from '../../../shared/contract/operator';
import { PROBLEM_TYPES } from '../../../shared/contract/problems';
import { HttpProblem } from '../../http/problem';
import type { OrderLineInput } from '../../../shared/contract/orders';
import { sampleOrderBody } from '../../../shared/order-mix';

export class LoadAlreadyRunning extends Error {
  constructor(readonly status: LoadStatus) {
    super(`a load of ${status.rate}/s runs until ${status.ends_at}`);
  }
}

/** The items to order could not be listed (inventory down, or empty). */
export class LoadItemsUnavailable extends Error {}

/** The load generator's refusals as problem+json. */
export function loadProblem(err: unknown): HttpProblem | undefined {
  if (err instanceof LoadAlreadyRunning)
    return new HttpProblem(409, PROBLEM_TYPES.loadAlreadyRunning, 'Load already running', `Stop it first: ${err.message}.`, {
      load: err.status,
    });
  if (err instanceof LoadItemsUnavailable)
    return new HttpProblem(503, PROBLEM_TYPES.dependencyUnavailable, 'Items unavailable', err.message);
  return undefined;
}

export interface LoadGeneratorDeps {
  /** Places one real order (the gateway's own placeOrder, as its load-generator client). */
  place(key: string, lines: OrderLineInput[]): Promise<void>;
  /** The items orders are made of. */
  listItems(): Promise<string[]>;
  log: FastifyBaseLogger;
}

const IDLE: LoadStatus = { running: false, rate: 0, duration_s: 0, started_at: null, ends_at: null, placed: 0, failed: 0 };

/**
 * A bounded stream of real orders from inside the gateway (the operator view's load button):
 * a constant arrival rate for a duration, at most one at a time per gateway, stopped by itself,
 * by stop() or by the gateway's shutdown. The contract caps rate and duration.
 */
export function createLoadGenerator(deps: LoadGeneratorDeps) {
  let status: LoadStatus = IDLE;
  let abort: AbortController | undefined;
  let run: Promise<void> | undefined;

  return {
    status: (): LoadStatus => ({ ...status }),

    async start(request: LoadRequest): Promise<LoadStatus> {
      if (status.running) throw new LoadAlreadyRunning(status);
      const items = await deps.listItems().catch((err: Error) => {
        throw new LoadItemsUnavailable(`The inventory service did not list its items: ${err.message}`);
      });
      if (items.length === 0) throw new LoadItemsUnavailable('The inventory lists no items to order.');
      const startedAt = new Date();
      status = {
        running: true,
        rate: request.rate,
        duration_s: request.duration_s,
        started_at: startedAt.toISOString(),
        ends_at: new Date(startedAt.getTime() + request.duration_s * 1000).toISOString(),
        placed: 0,
        failed: 0,
      };
      abort = new AbortController();
      const runId = randomUUID();
      deps.log.info({ load: request }, 'load generator started');
      run = runArrivals(
        { rate: request.rate, durationS: request.duration_s, maxInFlight: request.rate * 10, signal: abort.signal },
        async (n) => {
          const body = sampleOrderBody(n, items, request.multi_share);
          const lines = 'lines' in body ? body.lines : [body];
          try {
            await deps.place(
              `load-${runId}-${n}`,
              lines.map((line) => ({ itemId: line.item_id, quantity: line.quantity })),
            );
            status.placed += 1;
          } catch (err) {
            status.failed += 1;
            if (status.failed <= 3) deps.log.warn({ err }, 'load generator: an order was not placed');
          }
        },
      ).then(({ dropped }) => {
        status.failed += dropped;
        status.running = false;
        deps.log.info({ placed: status.placed, failed: status.failed }, 'load generator stopped');
      });
      return { ...status };
    },

    /** Stops sending; orders already sent still finish. */
    async stop(): Promise<LoadStatus> {
      abort?.abort();
      await run;
      return { ...status };
    },
  };
}

export type LoadGenerator = ReturnType<typeof createLoadGenerator>;
