import { config } from '../config.server';
import { gateway as defaultGateway, type GatewayClient } from './gateway.server';
import type { ServiceCheck } from './health';
import { inventory as defaultInventory, type InventoryClient, type ChaosResult } from './inventory.server';
import { ORDER_STATUSES } from './orders';
import { STATS_SAMPLE, orderRate, type OrderStats } from './stats';
import { probe, type Probe } from './upstream.server';

const WORKER_TIMEOUT_MS = 3_000;
/** A slow gateway must not hold the whole overview (it shows as slow in the health table anyway). */
const STATS_TIMEOUT_MS = 5_000;

/** Names of the gateway's /health/deep checks, in words. */
const GATEWAY_CHECK_LABELS: Record<string, string> = {
  temporal: 'Temporal server',
  orders_db: 'Orders database',
  redis: 'Redis (order events)',
  inventory: 'Inventory service /health',
};

function fromProbe(id: string, label: string, result: Probe): ServiceCheck {
  const up = result.status !== undefined && result.status >= 200 && result.status < 300;
  const error = result.error ?? (up ? undefined : `answered HTTP ${result.status}`);
  return { id, label, status: up ? 'up' : 'down', latencyMs: result.latencyMs, ...(error ? { error } : {}) };
}

export interface OverviewDeps {
  gateway: GatewayClient;
  inventory: InventoryClient;
  workerUrl: string;
  temporalUiUrl: string;
  gatewayPublicUrl: string;
}

export function createOverview(deps: OverviewDeps) {
  async function serviceChecks(): Promise<ServiceCheck[]> {
    const [deep, inventoryApi, worker] = await Promise.all([
      deps.gateway.deepHealth(),
      deps.inventory.probeApi(),
      probe(new URL('/health', deps.workerUrl), WORKER_TIMEOUT_MS),
    ]);
    // The gateway answers /health/deep with 503 when a dependency is down: it is up itself.
    const gatewayRow: ServiceCheck = deep.body
      ? { id: 'gateway', label: 'Gateway API', status: 'up', latencyMs: deep.probe.latencyMs }
      : fromProbe('gateway', 'Gateway API', deep.probe);
    const dependencies = Object.entries(deep.body?.checks ?? {}).map(([name, check]): ServiceCheck => ({
      id: `gateway.${name}`,
      label: GATEWAY_CHECK_LABELS[name] ?? name,
      status: check.status,
      latencyMs: check.latency_ms,
      ...(check.error ? { error: check.error } : {}),
    }));
    return [
      gatewayRow,
      ...dependencies,
      fromProbe('inventory-api', 'Inventory API (GET /api/inventory)', inventoryApi),
      fromProbe('worker', 'Order worker', worker),
    ];
  }

  /** Counts from the newest orders per status; null when the gateway cannot list them. */
  async function orderStats(now: Date): Promise<OrderStats | null> {
    try {
      const [all, ...perStatus] = await Promise.all([
        deps.gateway.listOrders({ limit: STATS_SAMPLE }, STATS_TIMEOUT_MS),
        ...ORDER_STATUSES.map((status) => deps.gateway.listOrders({ status, limit: STATS_SAMPLE }, STATS_TIMEOUT_MS)),
      ]);
      const capped = all.next_cursor !== undefined;
      return {
        total: { count: all.orders.length, capped },
        rate: orderRate(
          all.orders.map((order) => order.created_at),
          capped,
          now,
        ),
        byStatus: ORDER_STATUSES.map((status, i) => ({
          status,
          count: perStatus[i]!.orders.length,
          capped: perStatus[i]!.next_cursor !== undefined,
        })),
      };
    } catch {
      return null;
    }
  }

  async function chaosState(): Promise<ChaosResult> {
    try {
      return await deps.inventory.chaos.get();
    } catch {
      return { ok: false, problem: { type: 'about:blank', title: 'Inventory service unreachable', status: 503 } };
    }
  }

  return async function loadOverview(now = new Date()) {
    const [checks, stats, chaos] = await Promise.all([serviceChecks(), orderStats(now), chaosState()]);
    return {
      checks,
      stats,
      chaos,
      checkedAt: now.toISOString(),
      links: { temporalUi: deps.temporalUiUrl, apiDocs: new URL('/docs', deps.gatewayPublicUrl).toString() },
    };
  };
}

export const loadOverview = createOverview({
  gateway: defaultGateway,
  inventory: defaultInventory,
  workerUrl: config.workerUrl,
  temporalUiUrl: config.temporalUiUrl,
  gatewayPublicUrl: config.gatewayPublicUrl,
});
