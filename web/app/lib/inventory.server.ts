import { config } from '../config.server';
import { call, expectJson, probe, readProblem, type Probe } from './upstream.server';
import type { ChaosState, ChaosUpdate, InventoryItem, Problem } from './types';

export type RestockResult = { ok: true; item: InventoryItem } | { ok: false; problem: Problem };
export type ChaosResult = { ok: true; state: ChaosState } | { ok: false; problem: Problem };

/** The order form still works when the item list is slow (chaos latency): it falls back to a text field. */
const ITEM_LIST_FOR_FORM_TIMEOUT_MS = 2_000;
/** Longer than any sensible chaos latency is worth waiting for on the overview: past it, red. */
const PROBE_TIMEOUT_MS = 3_000;

/** The inventory service's REST API, called from loaders and actions only; the admin token never leaves the server. */
export function createInventoryClient(baseUrl: string, adminToken: string, timeoutMs = 8_000) {
  const url = (path: string) => new URL(path, baseUrl);
  const admin = { authorization: `Bearer ${adminToken}` };

  async function chaosCall(method: 'GET' | 'POST' | 'DELETE', body?: ChaosUpdate): Promise<ChaosResult> {
    const response = await call('inventory', url('/api/admin/chaos'), {
      method,
      headers: body ? { ...admin, 'content-type': 'application/json' } : admin,
      body: body ? JSON.stringify(body) : undefined,
      timeoutMs,
    });
    if (response.ok) return { ok: true, state: (await response.json()) as ChaosState };
    const problem = await readProblem(response);
    if (response.status === 401 || response.status === 403) {
      return {
        ok: false,
        problem: { ...problem, detail: 'The inventory service refused the dashboard’s admin token: check ADMIN_TOKEN on both.' },
      };
    }
    if (response.status === 404) {
      return { ok: false, problem: { ...problem, detail: 'This inventory service has no chaos API (/api/admin/chaos).' } };
    }
    return { ok: false, problem };
  }

  return {
    async listItems(timeout = timeoutMs): Promise<InventoryItem[]> {
      const body = await expectJson<{ items: InventoryItem[] }>(
        'inventory',
        await call('inventory', url('/api/inventory'), { timeoutMs: timeout }),
      );
      return body.items;
    },

    /** The items for the order form's select, or null when the service is down or slow. */
    async itemsForForm(): Promise<InventoryItem[] | null> {
      const result = await probe(url('/api/inventory'), ITEM_LIST_FOR_FORM_TIMEOUT_MS);
      if (result.status !== 200 || !result.body) return null;
      return (JSON.parse(result.body) as { items: InventoryItem[] }).items;
    },

    /** Times the same route chaos slows down, which is what the overview shows. */
    async probeApi(): Promise<Probe> {
      return probe(url('/api/inventory'), PROBE_TIMEOUT_MS);
    },

    async restock(itemId: string, quantity: number): Promise<RestockResult> {
      const response = await call('inventory', url(`/api/inventory/${encodeURIComponent(itemId)}/restock`), {
        method: 'POST',
        // Restock is an admin's act at the inventory service.
        headers: { ...admin, 'content-type': 'application/json' },
        body: JSON.stringify({ quantity }),
        timeoutMs,
      });
      if (response.status >= 400 && response.status < 500) return { ok: false, problem: await readProblem(response) };
      return { ok: true, item: await expectJson<InventoryItem>('inventory', response) };
    },

    chaos: {
      get: () => chaosCall('GET'),
      update: (update: ChaosUpdate) => chaosCall('POST', update),
      disable: () => chaosCall('DELETE'),
    },
  };
}

export type InventoryClient = ReturnType<typeof createInventoryClient>;

export const inventory = createInventoryClient(config.inventoryUrl, config.adminToken);
