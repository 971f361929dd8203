import { performance } from 'node:perf_hooks';

export interface ArrivalCounts {
  planned: number;
  /** Arrivals skipped because maxInFlight were still waiting for an answer. */
  dropped: number;
}

/**
 * Open model, like a constant-arrival-rate executor: arrival n is due at n / rate seconds,
 * whatever earlier ones are doing; past `maxInFlight` unanswered, an arrival is dropped. An
 * abort stops new arrivals; those in flight are still awaited.
 */
export async function runArrivals(
  options: { rate: number; durationS: number; maxInFlight: number; signal?: AbortSignal },
  send: (n: number) => Promise<void>,
): Promise<ArrivalCounts> {
  const { rate, maxInFlight, signal } = options;
  let planned = Math.round(rate * options.durationS);
  let sent = 0;
  let inFlight = 0;
  let dropped = 0;
  const began = performance.now();
  await new Promise<void>((resolve) => {
    const finishIfDone = () => {
      if (sent >= planned && inFlight === 0) resolve();
    };
    const timer = setInterval(() => {
      if (signal?.aborted) planned = sent;
      const due = Math.min(planned, Math.floor((rate * (performance.now() - began)) / 1000));
      for (; sent < due; sent += 1) {
        if (inFlight >= maxInFlight) {
          dropped += 1;
          continue;
        }
        inFlight += 1;
        void send(sent).finally(() => {
          inFlight -= 1;
          finishIfDone();
        });
      }
      if (sent >= planned) {
        clearInterval(timer);
        finishIfDone();
      }
    }, 5);
  });
  return { planned, dropped };
}
