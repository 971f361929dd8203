import { Counter, Gauge, type Registry } from 'prom-client';
import type { AnyFastify } from '../http/types';

/**
 * Gateway: idempotent replays served (`Idempotency-Replayed: true` on POST /api/orders), and,
 * read at scrape time from the orders database, orders stuck in a non-terminal status and the
 * newest backup (a batch job has no endpoint of its own: its runs are rows there).
 */
export function registerGatewayMetrics(
  app: AnyFastify,
  registry: Registry,
  stuck: { count: () => Promise<number>; afterSeconds: number },
  lastBackup: () => Promise<{ finishedAt: Date; sizeBytes: number } | undefined>,
): void {
  new Gauge({
    name: 'backup_last_success_timestamp_seconds',
    help: 'When the newest backup archive was uploaded (Unix time); 0 when none ever was.',
    registers: [registry],
    async collect() {
      this.set(
        await lastBackup().then(
          (run) => (run ? run.finishedAt.getTime() / 1000 : 0),
          () => Number.NaN,
        ),
      );
    },
  });
  new Gauge({
    name: 'backup_last_size_bytes',
    help: 'Size of the newest uploaded backup archive; 0 when none ever was.',
    registers: [registry],
    async collect() {
      this.set(
        await lastBackup().then(
          (run) => run?.sizeBytes ?? 0,
          () => Number.NaN,
        ),
      );
    },
  });
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
