import { gateway as defaultGateway, type GatewayClient } from './gateway.server';
import { isOutage, isProblem, problemText } from './errors';
import { inventory as defaultInventory, type InventoryClient } from './inventory.server';
import type { OperatorSnapshot } from './operator-charts';

/**
 * The page polls every 2 s: a slow gateway must not hold it for long (its last charts stay up).
 * The stock comes from GET /api/inventory, which chaos latency slows down: past 2 s the stock
 * chart keeps its last points (and says why) rather than hold the other charts for 5 s.
 */
const STATS_TIMEOUT_MS = 4_000;
const ITEMS_TIMEOUT_MS = 2_000;

const OUTAGE_WORDS = { gateway: 'The gateway', inventory: 'The inventory service', worker: 'The worker' } as const;

/** A failed call in plain words: what a loader would have thrown (an outage, a problem) or any other error. */
export function describeError(err: unknown): string {
  const thrown = (err as { data?: unknown } | null)?.data;
  if (isOutage(thrown)) return `${OUTAGE_WORDS[thrown.outage]} is not answering: ${thrown.detail}.`;
  if (isProblem(thrown)) return problemText(thrown);
  return err instanceof Error ? err.message : String(err);
}

export function createOperatorSnapshot(deps: { gateway: GatewayClient; inventory: InventoryClient }) {
  /** Everything the demo page draws, in one go; never throws, since a chart page must show a dead service, not fail with it. */
  return async function operatorSnapshot(): Promise<OperatorSnapshot> {
    const [stats, items, chaos] = await Promise.allSettled([
      deps.gateway.operatorStats(STATS_TIMEOUT_MS),
      deps.inventory.listItems(ITEMS_TIMEOUT_MS),
      deps.inventory.chaos.get(),
    ]);
    const chaosProblem =
      chaos.status === 'fulfilled' ? (chaos.value.ok ? null : problemText(chaos.value.problem)) : describeError(chaos.reason);
    return {
      at: Date.now(),
      stats: stats.status === 'fulfilled' ? stats.value : null,
      statsError: stats.status === 'rejected' ? describeError(stats.reason) : null,
      items: items.status === 'fulfilled' ? items.value : null,
      itemsError: items.status === 'rejected' ? describeError(items.reason) : null,
      chaos: chaos.status === 'fulfilled' && chaos.value.ok ? chaos.value.state : null,
      chaosError: chaosProblem,
    };
  };
}

export const operatorSnapshot = createOperatorSnapshot({ gateway: defaultGateway, inventory: defaultInventory });
