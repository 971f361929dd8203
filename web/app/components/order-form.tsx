import { Form, Link, useNavigation } from '@remix-run/react';
import { useEffect, useState, type MouseEvent } from 'react';
import { EMPTY_LINE, MAX_LINES, MAX_QUANTITY, editDraft, type DraftLine, type OrderFormResult } from '../lib/order-form';
import type { InventoryItem } from '../lib/types';

/** crypto.randomUUID exists only in secure contexts (https, localhost); elsewhere the server's key stays. */
function browserKey(): string | undefined {
  return typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function' ? crypto.randomUUID() : undefined;
}

interface Props {
  /** null: the inventory service is down or slow, so item ids are typed instead of chosen. */
  items: InventoryItem[] | null;
  /** Made by the loader, so the form works without JavaScript too. */
  serverKey: string;
  /** The action's last answer, kept by the page across revalidations. */
  result: OrderFormResult | undefined;
}

/**
 * The Idempotency-Key lives in a hidden input and stays the same until the order is changed,
 * so a double click or a retry sends the same key and the gateway returns the same order.
 */
export function NewOrderForm({ items, serverKey, result }: Props) {
  const draft = result && result.kind !== 'placed' ? result.draft : undefined;
  const [key, setKey] = useState(draft?.key ?? serverKey);
  const [lines, setLines] = useState<DraftLine[]>(draft?.lines ?? [EMPTY_LINE]);
  const navigation = useNavigation();
  const submitting = navigation.state === 'submitting' && navigation.formData?.get('idempotency_key') === key;

  // Once, after hydration: the browser makes the key; later renders keep it.
  useEffect(() => {
    const made = browserKey();
    if (made && !draft) setKey(made);
  }, []);

  // After a key placed an order, any change makes a different order: it needs a key of its own.
  const freshKeyIfPlaced = () => {
    if (result?.kind === 'placed' && result.key === key) setKey(browserKey() ?? key);
  };
  const updateLine = (index: number, change: Partial<DraftLine>) => {
    freshKeyIfPlaced();
    setLines((current) => current.map((line, i) => (i === index ? { ...line, ...change } : line)));
  };
  // The add/remove buttons submit an intent without JavaScript; with it they edit in place.
  const edit = (intent: string) => (event: MouseEvent) => {
    event.preventDefault();
    freshKeyIfPlaced();
    setLines((current) => editDraft({ key, lines: current }, intent)?.lines ?? current);
  };
  const startOver = (event: MouseEvent) => {
    event.preventDefault();
    setKey(browserKey() ?? key);
    setLines([EMPTY_LINE]);
  };

  return (
    <Form method="post" className="order-form" aria-labelledby="new-order-title" preventScrollReset>
      <h2 id="new-order-title">New order</h2>
      <input type="hidden" name="idempotency_key" value={key} />
      {/* Enter in a field submits with the first submit button: make that "place", not "remove". */}
      <button type="submit" name="intent" value="place" className="visually-hidden" tabIndex={-1} aria-hidden="true">
        Place order
      </button>
      {items === null && <p className="notice">The inventory service is slow or down, so items cannot be listed: type item ids instead.</p>}
      <fieldset>
        <legend>Lines</legend>
        {lines.map((line, index) => (
          <div className="order-line" key={index} data-line={index}>
            <label htmlFor={`line-${index}-item`}>Item {index + 1}</label>
            {items === null ? (
              <input
                id={`line-${index}-item`}
                name="item_id"
                value={line.item_id}
                onChange={(event) => updateLine(index, { item_id: event.target.value })}
                autoComplete="off"
              />
            ) : (
              <select
                id={`line-${index}-item`}
                name="item_id"
                value={line.item_id}
                onChange={(event) => updateLine(index, { item_id: event.target.value })}
              >
                <option value="">Choose an item…</option>
                {items.map((item) => (
                  <option key={item.item_id} value={item.item_id}>
                    {item.name} ({item.stock} in stock)
                  </option>
                ))}
              </select>
            )}
            <label htmlFor={`line-${index}-quantity`}>Quantity</label>
            <input
              id={`line-${index}-quantity`}
              name="quantity"
              type="number"
              inputMode="numeric"
              min={1}
              max={MAX_QUANTITY}
              value={line.quantity}
              onChange={(event) => updateLine(index, { quantity: event.target.value })}
            />
            {lines.length > 1 && (
              <button
                type="submit"
                name="intent"
                value={`remove-line:${index}`}
                formNoValidate
                className="secondary"
                onClick={edit(`remove-line:${index}`)}
              >
                Remove<span className="visually-hidden"> item {index + 1}</span>
              </button>
            )}
          </div>
        ))}
        {lines.length < MAX_LINES && (
          <button type="submit" name="intent" value="add-line" formNoValidate className="secondary" onClick={edit('add-line')}>
            Add a line
          </button>
        )}
      </fieldset>
      <div className="actions">
        <button type="submit" name="intent" value="place">
          {submitting ? 'Placing…' : 'Place order'}
        </button>
        <button type="submit" name="intent" value="start-over" formNoValidate className="secondary" onClick={startOver}>
          Start over
        </button>
      </div>
      <p className="hint">
        Idempotency key <code>{key}</code>: it stays until you change the order, so a double click or a retry returns the same order instead
        of placing a second one.
      </p>
      <FormResult result={result} />
    </Form>
  );
}

function FormResult({ result }: { result: OrderFormResult | undefined }) {
  if (result?.kind === 'rejected') {
    return (
      <p className="message error" role="alert">
        {result.error}
      </p>
    );
  }
  if (result?.kind !== 'placed') return null;
  const link = <Link to={`/orders/${result.orderId}`}>{result.orderId}</Link>;
  return result.replayed ? (
    <p className="message replayed" role="status" data-testid="order-result" data-order-id={result.orderId}>
      Already placed: same order returned ({link}). The key held, so no second order was made.
    </p>
  ) : (
    <p className="message placed" role="status" data-testid="order-result" data-order-id={result.orderId}>
      Order placed: {link}. Its status below changes as the saga runs.
    </p>
  );
}
