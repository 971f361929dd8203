import type { Redis } from 'ioredis';
import type { FastifyBaseLogger } from 'fastify';
import { ORDER_EVENTS_STREAM } from '../../../shared/contract/orders';

export interface StreamEntry {
  /** Redis stream id; SSE clients send it back as Last-Event-ID to resume. */
  id: string;
  data: string;
  /** The order's client ('' for an order placed without one). */
  clientId: string;
}

type Subscriber = (entry: StreamEntry) => void;

type RawEntries = [id: string, fields: string[]][];

function toEntries(raw: RawEntries): StreamEntry[] {
  return raw.map(([id, fields]) => {
    const field = (name: string) => {
      const index = fields.indexOf(name);
      return index >= 0 ? fields[index + 1] : undefined;
    };
    return { id, data: field('data') ?? '{}', clientId: field('client_id') ?? '' };
  });
}

/**
 * One blocking XREAD loop per gateway, fanned out to every SSE client. `blocking` must be a
 * connection of its own: XREAD BLOCK holds it.
 */
export function createOrderEventFeed(blocking: Redis, commands: Redis, log: FastifyBaseLogger) {
  const subscribers = new Set<Subscriber>();
  let running = false;
  let loop: Promise<void> | undefined;

  async function run(): Promise<void> {
    let lastId = '$';
    while (running) {
      try {
        const result = (await blocking.xread('COUNT', 500, 'BLOCK', 2000, 'STREAMS', ORDER_EVENTS_STREAM, lastId)) as
          [string, RawEntries][] | null;
        for (const [, raw] of result ?? []) {
          for (const entry of toEntries(raw)) {
            lastId = entry.id;
            for (const subscriber of subscribers) subscriber(entry);
          }
        }
      } catch (err) {
        if (!running) return;
        log.warn({ err }, 'order event feed: read failed, retrying');
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
      loop = run();
    },
    async stop() {
      running = false;
      blocking.disconnect();
      await loop;
    },
    subscribe(subscriber: Subscriber): () => void {
      subscribers.add(subscriber);
      return () => subscribers.delete(subscriber);
    },
    /** Entries after `id`, for a client resuming with Last-Event-ID. */
    async readAfter(id: string, count = 1000): Promise<StreamEntry[]> {
      const raw = (await commands.xrange(ORDER_EVENTS_STREAM, `(${id}`, '+', 'COUNT', count)) as RawEntries;
      return toEntries(raw);
    },
  };
}

export type OrderEventFeed = ReturnType<typeof createOrderEventFeed>;
