import { randomUUID } from 'node:crypto';

/** One order the harness will place, and what it will do with it afterwards. */
export interface PlannedOrder {
  key: string;
  body: { item_id: string; quantity: number } | { lines: { item_id: string; quantity: number }[] };
  /** Re-POST the same key and body after the answer (a client retry). */
  duplicate: boolean;
  /** Ask to cancel this long after the answer; undefined keeps the order. */
  cancelAfterMs?: number;
  /** Built to run out of stock on purpose. */
  outOfStock: boolean;
}

export interface WorkloadItems {
  plentiful: string[];
  scarce: string[];
}

export interface WorkloadMix {
  multiLineShare: number;
  outOfStockShare: number;
  duplicateShare: number;
  cancelShare: number;
}

export const DEFAULT_MIX: WorkloadMix = { multiLineShare: 0.3, outOfStockShare: 0.08, duplicateShare: 0.1, cancelShare: 0.08 };

/** A deterministic-for-a-seed mix of single- and multi-line orders, cancels, duplicates and deliberate out-of-stock. */
export function planWorkload(
  count: number,
  items: WorkloadItems,
  mix: WorkloadMix = DEFAULT_MIX,
  random: () => number = Math.random,
): PlannedOrder[] {
  const pick = <T>(values: T[]) => values[Math.floor(random() * values.length)]!;
  const quantity = () => 1 + Math.floor(random() * 3);
  return Array.from({ length: count }, () => {
    const outOfStock = random() < mix.outOfStockShare;
    const multiLine = random() < mix.multiLineShare;
    const lines = Array.from({ length: multiLine ? 2 + Math.floor(random() * 2) : 1 }, () => ({
      item_id: pick(items.plentiful),
      quantity: quantity(),
    }));
    // The scarce item asks for more than it ever had, placed last so earlier lines need compensating.
    if (outOfStock) lines[lines.length - 1] = { item_id: pick(items.scarce), quantity: 1_000 };
    return {
      key: randomUUID(),
      body: lines.length === 1 ? lines[0]! : { lines },
      duplicate: random() < mix.duplicateShare,
      cancelAfterMs: random() < mix.cancelShare ? Math.floor(random() * 800) : undefined,
      outOfStock,
    };
  });
}
