import type { CreateOrderBody } from './contract/order-api';

/** mulberry32: order n always gets the same body, so a replay sends what was accepted. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The body of generated order n (the bench, `npm run load`, the gateway's load generator): the
 * seed's single-item body, or with probability `multiShare` 2-4 lines of distinct items;
 * quantities 1-3. The same n always gives the same body.
 */
export function sampleOrderBody(n: number, items: readonly string[], multiShare: number): CreateOrderBody {
  const next = random(n * 2654435761);
  const pick = (taken: string[]) => {
    for (;;) {
      const item = items[Math.floor(next() * items.length)]!;
      if (!taken.includes(item)) return item;
    }
  };
  const quantity = () => 1 + Math.floor(next() * 3);
  if (next() >= multiShare || items.length < 2) return { item_id: pick([]), quantity: quantity() };
  const count = Math.min(2 + Math.floor(next() * 3), items.length);
  const lines: { item_id: string; quantity: number }[] = [];
  for (let i = 0; i < count; i += 1) lines.push({ item_id: pick(lines.map((line) => line.item_id)), quantity: quantity() });
  return { lines };
}
