// @vitest-environment jsdom
import { createRemixStub } from '@remix-run/testing';
import { act, cleanup, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { OrderView } from '../lib/types';
import Orders from './orders._index';

/** Stands in for the browser's EventSource, which jsdom lacks; the test plays the server's part. */
class FakeEventSource extends EventTarget {
  static instances: FakeEventSource[] = [];
  onopen: (() => void) | null = null;
  onerror: (() => void) | null = null;
  closed = false;
  constructor(readonly url: string) {
    super();
    FakeEventSource.instances.push(this);
  }
  open() {
    this.onopen?.();
  }
  fail() {
    this.onerror?.();
  }
  send(type: string, data: unknown) {
    this.dispatchEvent(new MessageEvent(type, { data: JSON.stringify(data) }));
  }
  close() {
    this.closed = true;
  }
}

const order = (id: string, status: OrderView['status'], version: number): OrderView => ({
  id,
  status,
  version,
  lines: [{ line_no: 1, item_id: 'ps5', quantity: 2, reservation_id: `${id}:1`, status: 'PENDING', attempts: 0 }],
  cancel_requested: false,
  created_at: '2026-11-25T12:00:00.000Z',
  timeline: [],
  source: 'database',
});

const A = 'ord_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const B = 'ord_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';

beforeEach(() => {
  FakeEventSource.instances = [];
  vi.stubGlobal('EventSource', FakeEventSource);
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

function renderOrders(pages: OrderView[][]) {
  let loads = 0;
  const Stub = createRemixStub([
    {
      path: '/orders',
      Component: Orders,
      loader() {
        const orders = pages[Math.min(loads, pages.length - 1)]!;
        loads += 1;
        return { orders, nextCursor: null, status: null, cursor: null, items: [], newKey: 'server-key' };
      },
    },
  ]);
  render(<Stub initialEntries={['/orders']} />);
  return { loads: () => loads };
}

/** The page's event stream: it opens in an effect, which a loaded machine may run after the first paint. */
async function openedStream(): Promise<FakeEventSource> {
  await waitFor(() => expect(FakeEventSource.instances).toHaveLength(1));
  return FakeEventSource.instances[0]!;
}

const rowStatus = (id: string) => document.querySelector(`tr[data-order-id="${id}"]`)?.getAttribute('data-status');

describe('orders page, live', () => {
  it('listens on the dashboard’s own event route and says when it is live', async () => {
    renderOrders([[order(A, 'PENDING', 1)]]);
    await screen.findByText(A);
    const source = await openedStream();
    expect(source.url).toBe('/api/events');
    expect(screen.getByRole('status').textContent).toContain('Connecting');
    act(() => source.open());
    expect(screen.getByRole('status').textContent).toContain('Live');
    act(() => source.fail());
    expect(screen.getByRole('status').textContent).toContain('reconnecting');
  });

  it('changes a status as soon as its event arrives, and never back to an older one', async () => {
    // The reload the events trigger answers an older version than the event's.
    renderOrders([[order(A, 'PENDING', 1)], [{ ...order(A, 'PENDING', 2), created_at: '2026-11-25T12:30:00.000Z' }]]);
    await screen.findByText(A);
    const source = await openedStream();
    act(() => source.send('order', { eventId: `${A}:3`, orderId: A, status: 'CONFIRMED', version: 3, at: '2026-11-25T12:00:01.000Z' }));
    expect(rowStatus(A)).toBe('CONFIRMED');
    act(() => source.send('order', { eventId: `${A}:2`, orderId: A, status: 'PENDING', version: 2, at: '2026-11-25T12:00:00.500Z' }));
    expect(rowStatus(A)).toBe('CONFIRMED');
    await screen.findByText('2026-11-25 12:30:00 UTC');
    expect(rowStatus(A)).toBe('CONFIRMED');
  });

  it('reloads the list, at most once per burst, to show an order it did not know', async () => {
    const loads = renderOrders([[order(A, 'CONFIRMED', 4)], [order(B, 'PENDING', 1), order(A, 'CONFIRMED', 4)]]).loads;
    await screen.findByText(A);
    const source = await openedStream();
    act(() => {
      for (let version = 1; version <= 5; version += 1) {
        source.send('order', { eventId: `${B}:${version}`, orderId: B, status: 'PENDING', version, at: '2026-11-25T12:00:01.000Z' });
      }
    });
    await screen.findByText(B);
    expect(loads()).toBe(2);
  });

  it('closes the stream when the page goes away', async () => {
    renderOrders([[order(A, 'PENDING', 1)]]);
    await screen.findByText(A);
    cleanup();
    await waitFor(() => expect(FakeEventSource.instances[0]!.closed).toBe(true));
  });
});
