/** The new-order form's fields, read the same way whether the browser ran JavaScript or not. */

import { MAX_LINES, MAX_QUANTITY } from '../../../shared/contract/orders';

export { MAX_LINES, MAX_QUANTITY };

export interface DraftLine {
  item_id: string;
  quantity: string;
}

export interface OrderDraft {
  key: string;
  lines: DraftLine[];
}

export const EMPTY_LINE: DraftLine = { item_id: '', quantity: '1' };

export type ParsedOrder = { ok: true; key: string; lines: { item_id: string; quantity: number }[] } | { ok: false; error: string };

export function readDraft(form: FormData): OrderDraft {
  const quantities = form.getAll('quantity').map(String);
  return {
    key: String(form.get('idempotency_key') ?? ''),
    lines: form.getAll('item_id').map((item, i) => ({ item_id: String(item), quantity: quantities[i] ?? '' })),
  };
}

/** Lines left without an item are ignored, so a form sent without JavaScript may leave rows empty. */
export function parseOrder(draft: OrderDraft): ParsedOrder {
  if (!draft.key) return { ok: false, error: 'The form lost its idempotency key. Reload the page and try again.' };
  const filled = draft.lines.filter((line) => line.item_id.trim() !== '');
  if (filled.length === 0) return { ok: false, error: 'Choose at least one item.' };
  if (filled.length > MAX_LINES) return { ok: false, error: `An order has at most ${MAX_LINES} lines.` };
  const lines = [];
  for (const [i, line] of filled.entries()) {
    const quantity = Number(line.quantity);
    if (!Number.isInteger(quantity) || quantity < 1 || quantity > MAX_QUANTITY) {
      return { ok: false, error: `Line ${i + 1}: the quantity must be a whole number from 1 to ${MAX_QUANTITY}.` };
    }
    lines.push({ item_id: line.item_id.trim(), quantity });
  }
  return { ok: true, key: draft.key, lines };
}

/** The "add line" / "remove line" buttons: handled in the browser, or by the action without JavaScript. */
export function editDraft(draft: OrderDraft, intent: string): OrderDraft | undefined {
  if (intent === 'add-line') {
    return draft.lines.length >= MAX_LINES ? draft : { ...draft, lines: [...draft.lines, EMPTY_LINE] };
  }
  const remove = /^remove-line:(\d+)$/.exec(intent);
  if (!remove) return undefined;
  const index = Number(remove[1]);
  const lines = draft.lines.filter((_, i) => i !== index);
  return { ...draft, lines: lines.length > 0 ? lines : [EMPTY_LINE] };
}

/** What the orders page's action answers about the form. */
export type OrderFormResult =
  | { kind: 'placed'; key: string; orderId: string; replayed: boolean }
  | { kind: 'rejected'; key: string; error: string; draft: OrderDraft }
  | { kind: 'draft'; draft: OrderDraft };
