import type { FastifyBaseLogger } from 'fastify';
import { Counter, Gauge, type Registry } from 'prom-client';

export type ReservationOperation = 'reserve' | 'release';

export interface InventoryMetrics {
  /** One committed outcome of a reservation or release (label values are bounded by the callers' unions). */
  outcome(operation: ReservationOperation, outcome: string): void;
}

/**
 * Inventory: reservation outcomes (counted as they happen), stock per item and chaos state
 * (both read at scrape time, so they are never stale and cost nothing between scrapes).
 */
export function registerInventoryMetrics(
  registry: Registry,
  sources: {
    items: () => Promise<{ item_id: string; stock: number; reserved: number }[]>;
    /** Absent when chaos mode is not wired in (tests with injected faults): reported as off. */
    chaos?: () => Promise<{ enabled: boolean; latency_rate: number; crash_rate: number; lost_response_rate: number; kill_rate: number }>;
    log: FastifyBaseLogger;
  },
): InventoryMetrics {
  const outcomes = new Counter({
    name: 'inventory_reservation_outcomes_total',
    help: 'Committed reservation and release outcomes.',
    labelNames: ['operation', 'outcome'],
    registers: [registry],
  });
  // Both gauges collect concurrently within one scrape: they share a single query.
  let inFlight: ReturnType<typeof sources.items> | undefined;
  const readItems = () =>
    (inFlight ??= sources
      .items()
      .catch((err: unknown) => {
        // No series beats a stale one; the scrape still answers with every other metric.
        sources.log.warn({ err }, 'stock metrics unavailable');
        return [];
      })
      .finally(() => {
        inFlight = undefined;
      }));
  new Gauge({
    name: 'inventory_stock_level',
    help: 'Units in stock per item.',
    labelNames: ['item_id'],
    registers: [registry],
    async collect() {
      const items = await readItems();
      this.reset();
      for (const item of items) this.set({ item_id: item.item_id }, item.stock);
    },
  });
  new Gauge({
    name: 'inventory_reserved_level',
    help: 'Units held by active reservations per item.',
    labelNames: ['item_id'],
    registers: [registry],
    async collect() {
      const items = await readItems();
      this.reset();
      for (const item of items) this.set({ item_id: item.item_id }, item.reserved);
    },
  });

  new Gauge({
    name: 'inventory_chaos_enabled',
    help: 'Chaos mode: 1 on, 0 off.',
    registers: [registry],
    async collect() {
      this.set((await sources.chaos?.())?.enabled ? 1 : 0);
    },
  });
  new Gauge({
    name: 'inventory_chaos_fault_rate',
    help: 'Share of calls hit by each chaos fault (0 while chaos is off).',
    labelNames: ['fault'],
    registers: [registry],
    async collect() {
      const settings = await sources.chaos?.();
      const on = settings?.enabled === true;
      this.set({ fault: 'latency' }, on ? settings.latency_rate : 0);
      this.set({ fault: 'crash' }, on ? settings.crash_rate : 0);
      this.set({ fault: 'lost_response' }, on ? settings.lost_response_rate : 0);
      this.set({ fault: 'kill' }, on ? settings.kill_rate : 0);
    },
  });

  return {
    outcome(operation, outcome) {
      outcomes.inc({ operation, outcome: outcome.replaceAll('-', '_') });
    },
  };
}
