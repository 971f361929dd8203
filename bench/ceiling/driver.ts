import { performance } from 'node:perf_hooks';
import { Client, Connection } from '@temporalio/client';
import { temporalConnectOptions, type TemporalConnectionSettings } from '../../shared/temporal-connection';
import { runArrivals } from '../../shared/arrivals';
import { distribution, type Distribution } from '../stats';
import { CEILING_VARIANTS, type CeilingVariant } from './variants';
import { CEILING_TASK_QUEUE } from './workflows';

export interface CeilingRun {
  planned: number;
  started: number;
  failed: number;
  /** Starts skipped because too many were still waiting for an answer (open model: see runArrivals). */
  dropped: number;
  /** StartWorkflowExecution round trip, ms. */
  startLatency: Distribution;
  /** When the first and last start were sent, epoch ms. */
  firstStart: number;
  lastStart: number;
  /** Starts whose first workflow task came back in the start response (eager variants). */
  eagerlyStarted: number;
}

/** One start of the ceiling workflow, timed; shared by the bench's client and the worker's eager starter. */
export function ceilingStarter(client: Client, variant: CeilingVariant, idPrefix: string) {
  const latencies: number[] = [];
  const run = { started: 0, failed: 0, firstStart: 0, lastStart: 0, eagerlyStarted: 0 };
  const { workflowType, eager } = CEILING_VARIANTS[variant];
  return {
    run,
    async start(n: number): Promise<void> {
      const sentAt = performance.now();
      run.lastStart = Date.now();
      run.firstStart ||= run.lastStart;
      try {
        const handle = await client.workflow.start(workflowType, {
          taskQueue: CEILING_TASK_QUEUE,
          workflowId: `${idPrefix}${n}`,
          requestEagerStart: eager,
        });
        run.started += 1;
        if (handle.eagerlyStarted) run.eagerlyStarted += 1;
        latencies.push(performance.now() - sentAt);
      } catch {
        run.failed += 1;
      }
    },
    startLatency: () => distribution(latencies),
  };
}

/**
 * Starts a ceiling workflow variant straight through the Temporal client at a constant rate
 * (open model, runArrivals); completions come from the ceiling worker's counter. Eager variants
 * are started by the ceiling worker itself (POST /start-eager): eager start needs the starting
 * client and the worker on one connection, as a gateway hosting a worker would.
 */
export async function createCeilingDriver(settings: TemporalConnectionSettings, workerUrl: string) {
  // The stack's own settings: plain gRPC on the dev server, mTLS on the real server.
  const connection = await Connection.connect(temporalConnectOptions(settings));
  const client = new Client({ connection, namespace: settings.namespace });
  let startedTotal = 0;

  const completed = async (from = 0, to = Number.MAX_SAFE_INTEGER): Promise<number> => {
    const response = await fetch(new URL(`/completions?from=${from}&to=${to}`, workerUrl), { signal: AbortSignal.timeout(5000) });
    if (!response.ok) throw new Error(`ceiling worker answered HTTP ${response.status}`);
    return ((await response.json()) as { count: number }).count;
  };

  return {
    /** An abort stops sending; what was sent is still awaited. */
    async run(variant: CeilingVariant, rate: number, durationS: number, idPrefix: string, signal?: AbortSignal): Promise<CeilingRun> {
      let run: CeilingRun;
      if (CEILING_VARIANTS[variant].eager) {
        const url = new URL('/start-eager', workerUrl);
        url.search = new URLSearchParams({ variant, rate: String(rate), duration: String(durationS), prefix: idPrefix }).toString();
        // The worker's own arrivals stop as the bench's would; their partial result still comes back.
        const stop = () => void fetch(new URL('/stop-eager', workerUrl), { method: 'POST' }).catch(() => undefined);
        signal?.addEventListener('abort', stop, { once: true });
        const response = await fetch(url, { method: 'POST' }).finally(() => signal?.removeEventListener('abort', stop));
        if (!response.ok) throw new Error(`ceiling worker /start-eager answered HTTP ${response.status}: ${await response.text()}`);
        run = (await response.json()) as CeilingRun;
      } else {
        const starter = ceilingStarter(client, variant, idPrefix);
        const { planned, dropped } = await runArrivals({ rate, durationS, maxInFlight: Math.max(100, rate * 2), signal }, starter.start);
        run = { planned, dropped, ...starter.run, startLatency: starter.startLatency() };
      }
      startedTotal += run.started;
      return run;
    },

    /** Started but not completed, over the whole run (earlier steps were drained). */
    async backlog(): Promise<number> {
      return startedTotal - (await completed());
    },

    /** Completions in [from, to), epoch ms. */
    completedBetween: (from: number, to: number) => completed(from, to),

    close: () => connection.close(),
  };
}

export type CeilingDriver = Awaited<ReturnType<typeof createCeilingDriver>>;
