import { performance } from 'node:perf_hooks';
import { Client, Connection } from '@temporalio/client';
import { temporalConnectOptions, type TemporalConnectionSettings } from '../../shared/temporal-connection';
import { runArrivals } from '../arrivals';
import { distribution, type Distribution } from '../stats';
import { CEILING_TASK_QUEUE, type benchCeilingWorkflow } from './workflows';

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
}

/**
 * Starts the ceiling workflow straight through the Temporal client at a constant rate (open
 * model, runArrivals); completions come from the ceiling worker's counter.
 */
export async function createCeilingDriver(settings: TemporalConnectionSettings, completionsUrl: string) {
  // The stack's own settings: plain gRPC on the dev server, mTLS on the real server.
  const connection = await Connection.connect(temporalConnectOptions(settings));
  const client = new Client({ connection, namespace: settings.namespace });
  let startedTotal = 0;

  const completed = async (from = 0, to = Number.MAX_SAFE_INTEGER): Promise<number> => {
    const response = await fetch(`${completionsUrl}?from=${from}&to=${to}`, { signal: AbortSignal.timeout(5000) });
    if (!response.ok) throw new Error(`ceiling worker answered HTTP ${response.status}`);
    return ((await response.json()) as { count: number }).count;
  };

  return {
    /** An abort stops sending; what was sent is still awaited. */
    async run(rate: number, durationS: number, idPrefix: string, signal?: AbortSignal): Promise<CeilingRun> {
      const latencies: number[] = [];
      let started = 0;
      let failed = 0;
      let firstStart = 0;
      let lastStart = 0;
      const { planned, dropped } = await runArrivals({ rate, durationS, maxInFlight: Math.max(100, rate * 2), signal }, async (n) => {
        const sentAt = performance.now();
        lastStart = Date.now();
        firstStart ||= lastStart;
        try {
          await client.workflow.start<typeof benchCeilingWorkflow>('benchCeilingWorkflow', {
            taskQueue: CEILING_TASK_QUEUE,
            workflowId: `${idPrefix}${n}`,
          });
          started += 1;
          startedTotal += 1;
          latencies.push(performance.now() - sentAt);
        } catch {
          failed += 1;
        }
      });
      return { planned, started, failed, dropped, startLatency: distribution(latencies), firstStart, lastStart };
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
