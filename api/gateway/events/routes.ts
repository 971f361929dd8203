import { Type } from '@sinclair/typebox';
import { PROBLEM_TYPES } from '../../../shared/contract/problems';
import { HttpProblem, problemResponses } from '../../http/problem';
import type { AnyFastify } from '../../http/types';
import { callerOf } from '../clients/authenticate';
import type { OrderEventFeed, StreamEntry } from './feed';

const STREAM_ID = /^\d+-\d+$/;
const HEARTBEAT_MS = 15_000;
/** Open streams one gateway serves; more answer 503, so browsers left open cannot exhaust it. */
const MAX_EVENT_STREAMS = 500;
/** A reader this far behind (bytes queued in this process) is dropped; it can resume with Last-Event-ID. */
export const MAX_QUEUED_BYTES = 1024 * 1024;

/** `GET /api/orders/events`: Server-Sent Events from the `orders.events` stream, resumable with Last-Event-ID. */
export function registerOrderEventRoutes(app: AnyFastify, feed: OrderEventFeed, maxStreams = MAX_EVENT_STREAMS): void {
  let open = 0;
  app.get(
    '/api/orders/events',
    {
      schema: {
        tags: ['orders'],
        description:
          "text/event-stream of the caller's orders (an admin's: every order). Each `order` event carries {eventId, orderId, status, version, reason, at}; " +
          'de-duplicate on eventId. Reconnect with Last-Event-ID (or ?last_event_id=) to resume.',
        querystring: Type.Object({ last_event_id: Type.Optional(Type.String({ pattern: STREAM_ID.source })) }),
        produces: ['text/event-stream'],
        response: problemResponses(401),
      },
    },
    async (request, reply) => {
      if (open >= maxStreams) {
        throw new HttpProblem(
          503,
          PROBLEM_TYPES.dependencyUnavailable,
          'Too many event streams',
          'This gateway serves its maximum of event streams; retry shortly.',
        );
      }
      open += 1;
      const header = request.headers['last-event-id'];
      const query = request.query as { last_event_id?: string };
      const resumeFrom = typeof header === 'string' && STREAM_ID.test(header) ? header : query.last_event_id;

      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      raw.write('retry: 3000\n\n');
      const write = (text: string) => {
        raw.write(text);
        if (raw.writableLength > MAX_QUEUED_BYTES) raw.destroy();
      };
      const caller = callerOf(request);
      const send = (entry: StreamEntry) => {
        if (caller.role === 'admin' || entry.clientId === caller.id) write(`id: ${entry.id}\nevent: order\ndata: ${entry.data}\n\n`);
      };

      // Subscribe first, then catch up, then flush: nothing falls between the two.
      const pending: StreamEntry[] = [];
      let catchingUp = resumeFrom !== undefined;
      const unsubscribe = feed.subscribe((entry) => (catchingUp ? pending.push(entry) : send(entry)));
      const heartbeat = setInterval(() => write(': keep-alive\n\n'), HEARTBEAT_MS);
      raw.on('close', () => {
        open -= 1;
        clearInterval(heartbeat);
        unsubscribe();
      });
      if (resumeFrom !== undefined) {
        let lastSent = resumeFrom;
        for (const entry of await feed.readAfter(resumeFrom)) {
          send(entry);
          lastSent = entry.id;
        }
        for (const entry of pending) if (compareIds(entry.id, lastSent) > 0) send(entry);
        catchingUp = false;
      }
    },
  );
}

function compareIds(a: string, b: string): number {
  const [aMs, aSeq] = a.split('-').map(BigInt) as [bigint, bigint];
  const [bMs, bSeq] = b.split('-').map(BigInt) as [bigint, bigint];
  return aMs === bMs ? Number(aSeq - bSeq) : aMs < bMs ? -1 : 1;
}
