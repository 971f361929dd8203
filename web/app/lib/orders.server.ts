import { randomUUID } from 'node:crypto';
import { data } from '@remix-run/node';
import { config } from '../config.server';
import { problemText } from './errors';
import { gateway as defaultGateway, type GatewayClient } from './gateway.server';
import { inventory as defaultInventory, type InventoryClient } from './inventory.server';
import { EMPTY_LINE, editDraft, parseOrder, readDraft, type OrderFormResult } from './order-form';
import { ORDER_ID, parseStatus } from './orders';
import type { Problem } from './types';

const PAGE_SIZE = 20;

export type CancelOutcome = { kind: 'cancelled'; settled: boolean; status: string } | { kind: 'refused'; error: string };

export interface OrdersDeps {
  gateway: GatewayClient;
  inventory: InventoryClient;
  temporalUiUrl: string;
  temporalNamespace: string;
}

export function createOrders(deps: OrdersDeps) {
  return {
    /** The orders page: one page of the list, the items for the form, and a key for a form sent without JavaScript. */
    async loadList(url: URL) {
      const status = parseStatus(url.searchParams.get('status'));
      const cursor = url.searchParams.get('cursor') || undefined;
      const [list, items] = await Promise.all([
        deps.gateway.listOrders({ status, limit: PAGE_SIZE, cursor }),
        deps.inventory.itemsForForm(),
      ]);
      return {
        orders: list.orders,
        nextCursor: list.next_cursor ?? null,
        status: status ?? null,
        cursor: cursor ?? null,
        items,
        newKey: randomUUID(),
      };
    },

    async submitForm(form: FormData): Promise<OrderFormResult> {
      const intent = String(form.get('intent') ?? 'place');
      const draft = readDraft(form);
      if (intent === 'start-over') return { kind: 'draft', draft: { key: randomUUID(), lines: [EMPTY_LINE] } };
      const edited = editDraft(draft, intent);
      if (edited) return { kind: 'draft', draft: edited };
      const parsed = parseOrder(draft);
      if (!parsed.ok) return { kind: 'rejected', key: draft.key, error: parsed.error, draft };
      const result = await deps.gateway.placeOrder(parsed.key, parsed.lines);
      if (!result.ok) return { kind: 'rejected', key: draft.key, error: problemText(result.problem), draft };
      return { kind: 'placed', key: parsed.key, orderId: result.order.id, replayed: result.replayed };
    },

    async loadOne(id: string) {
      const order = ORDER_ID.test(id) ? await deps.gateway.getOrder(id) : null;
      if (!order)
        throw data<Problem>({ type: 'about:blank', title: 'Order not found', status: 404, detail: `No order '${id}'.` }, { status: 404 });
      // The workflow id is the order id.
      const workflowUrl = `${deps.temporalUiUrl.replace(/\/$/, '')}/namespaces/${encodeURIComponent(deps.temporalNamespace)}/workflows/${id}`;
      return { order, workflowUrl };
    },

    async cancel(id: string): Promise<CancelOutcome> {
      const result = await deps.gateway.cancelOrder(id);
      if (!result.ok) return { kind: 'refused', error: problemText(result.problem) };
      return { kind: 'cancelled', settled: result.settled, status: result.order.status };
    },
  };
}

export const orders = createOrders({
  gateway: defaultGateway,
  inventory: defaultInventory,
  temporalUiUrl: config.temporalUiUrl,
  temporalNamespace: config.temporalNamespace,
});
