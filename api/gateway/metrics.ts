import { Counter, Gauge, type Registry } from 'prom-client';
import type { AnyFastify } from '../http/types';

/**
 * Gateway: idempotent replays served (`Idempotency-Replayed: true` on POST /api/orders), and
 * orders stuck in a non-terminal status (read at scrape time from the read model).
 */
export function registerGatewayMetrics(
  app: AnyFastify,
  registry: Registry,
  stuck: { count: () => Promise<number>; afterSeconds: number },
): void {
  new Gauge({
    name: 'orders_stuck',
    help: `Orders in a non-terminal status not updated for over ${stuck.afterSeconds} s (ORDER_STUCK_AFTER_MS): a wedged saga.`,
    registers: [registry],
    async collect() {
      this.set(await stuck.count().catch(() => Number.NaN));
    },
  });
  const replays = new Counter({
    name: 'idempotent_replays_total',
    help: 'POST /api/orders answered from an existing order (same Idempotency-Key).',
    registers: [registry],
  });
  app.addHook('onSend', async (request, reply, payload) => {
    if (request.method === 'POST' && request.routeOptions.url === '/api/orders' && reply.getHeader('idempotency-replayed') === 'true')
      replays.inc();
    return payload;
  });
}
