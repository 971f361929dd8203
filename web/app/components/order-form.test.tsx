// @vitest-environment jsdom
import { useActionData } from '@remix-run/react';
import { createRemixStub } from '@remix-run/testing';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { OrderFormResult } from '../lib/order-form';
import type { InventoryItem } from '../lib/types';
import { NewOrderForm } from './order-form';

const ITEMS: InventoryItem[] = [
  { item_id: 'ps5', name: 'PlayStation 5', stock: 8, reserved: 2, initial_stock: 10, restocked: 0, updated_at: '2026-11-25T00:00:00.000Z' },
  { item_id: 'xbox', name: 'Xbox Series X', stock: 5, reserved: 0, initial_stock: 5, restocked: 0, updated_at: '2026-11-25T00:00:00.000Z' },
];
const ORDER_ID = 'ord_0123456789abcdef0123456789abcdef';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

/** The form inside a Remix router whose action records each submission and answers as the gateway would. */
function renderForm(items: InventoryItem[] | null = ITEMS) {
  const submissions: Record<string, FormDataEntryValue[]>[] = [];
  const Stub = createRemixStub([
    {
      path: '/orders',
      Component() {
        const result = useActionData() as OrderFormResult | undefined;
        return <NewOrderForm items={items} serverKey="server-key" result={result} />;
      },
      async action({ request }) {
        const form = await request.formData();
        const fields: Record<string, FormDataEntryValue[]> = {};
        for (const name of new Set(form.keys())) fields[name] = form.getAll(name);
        submissions.push(fields);
        const key = String(form.get('idempotency_key'));
        // The gateway: the first submission of a key places the order, the next ones replay it.
        const replayed = submissions.filter((s) => s.idempotency_key?.[0] === key).length > 1;
        return { kind: 'placed', key, orderId: ORDER_ID, replayed } satisfies OrderFormResult;
      },
    },
  ]);
  render(<Stub initialEntries={['/orders']} />);
  return submissions;
}

const keyInput = () => document.querySelector<HTMLInputElement>('input[name="idempotency_key"]')!;

describe('new order form', () => {
  it('replaces the server’s key with one made in the browser', async () => {
    vi.spyOn(crypto, 'randomUUID').mockReturnValue('11111111-1111-4111-8111-111111111111');
    renderForm();
    await waitFor(() => expect(keyInput().value).toBe('11111111-1111-4111-8111-111111111111'));
  });

  it('keeps the server’s key where the browser cannot make one (no secure context)', async () => {
    vi.stubGlobal('crypto', {});
    renderForm();
    await screen.findByLabelText('Item 1');
    expect(keyInput().value).toBe('server-key');
  });

  it('adds and removes lines in the browser without submitting', async () => {
    const submissions = renderForm();
    fireEvent.click(await screen.findByRole('button', { name: 'Add a line' }));
    fireEvent.change(screen.getByLabelText('Item 2'), { target: { value: 'xbox' } });
    expect(screen.getAllByRole('combobox')).toHaveLength(2);
    fireEvent.click(screen.getByRole('button', { name: 'Remove item 1' }));
    expect(screen.queryByLabelText('Item 2')).toBeNull();
    expect((screen.getByLabelText('Item 1') as HTMLSelectElement).value).toBe('xbox');
    expect(submissions).toHaveLength(0);
  });

  it('sends the same key again on a resubmit and shows that the order was returned, not placed twice', async () => {
    const submissions = renderForm();
    fireEvent.change(await screen.findByLabelText('Item 1'), { target: { value: 'ps5' } });
    fireEvent.change(screen.getByLabelText('Quantity'), { target: { value: '2' } });
    fireEvent.click(screen.getByRole('button', { name: 'Place order' }));
    expect((await screen.findByTestId('order-result')).textContent).toContain(`Order placed: ${ORDER_ID}.`);
    const key = keyInput().value;

    fireEvent.click(screen.getByRole('button', { name: 'Place order' }));
    await waitFor(() => expect(screen.getByTestId('order-result').textContent).toContain('Already placed: same order returned'));
    expect(submissions.map((s) => [s.idempotency_key, s.item_id, s.quantity, s.intent])).toEqual([
      [[key], ['ps5'], ['2'], ['place']],
      [[key], ['ps5'], ['2'], ['place']],
    ]);
  });

  it('takes a new key once the placed order is changed, since that is a different order', async () => {
    renderForm();
    fireEvent.change(await screen.findByLabelText('Item 1'), { target: { value: 'ps5' } });
    const before = keyInput().value;
    fireEvent.change(screen.getByLabelText('Quantity'), { target: { value: '3' } });
    expect(keyInput().value).toBe(before);

    fireEvent.click(screen.getByRole('button', { name: 'Place order' }));
    await screen.findByTestId('order-result');
    fireEvent.change(screen.getByLabelText('Quantity'), { target: { value: '4' } });
    expect(keyInput().value).not.toBe(before);
  });

  it('asks for item ids in a text field when the items cannot be listed', async () => {
    renderForm(null);
    const field = await screen.findByLabelText('Item 1');
    expect(field.tagName).toBe('INPUT');
    expect(screen.getByText(/inventory service is slow or down/)).toBeTruthy();
  });
});
