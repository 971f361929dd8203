import type { InventoryStore } from './store';

/** The demo catalogue `npm start` seeds; existing items keep their stock. */
export const DEMO_ITEMS = [
  { itemId: 'ps5', name: 'PlayStation 5', stock: 500 },
  { itemId: 'xbox', name: 'Xbox Series X', stock: 500 },
  { itemId: 'switch', name: 'Nintendo Switch 2', stock: 300 },
  { itemId: 'steam-deck', name: 'Steam Deck OLED', stock: 200 },
  { itemId: 'controller', name: 'Wireless controller', stock: 1000 },
  { itemId: 'headset', name: 'Gaming headset', stock: 400 },
] as const;

export async function seedDemoInventory(store: InventoryStore): Promise<number> {
  let created = 0;
  for (const item of DEMO_ITEMS) if (await store.createItem(item.itemId, item.name, item.stock)) created += 1;
  return created;
}
