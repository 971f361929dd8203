import { describe, expect, it } from 'vitest';
import { EMPTY_LINE, MAX_LINES, editDraft, parseOrder, readDraft } from './order-form';
import { ORDER_STATUSES, applyOrderEvent, canCancel, formatTime, parseStatus, withLiveStatus } from './orders';
import type { OrderEvent } from './types';

const event = (orderId: string, version: number, status: OrderEvent['status']): OrderEvent => ({
  eventId: `${orderId}:${version}`,
  orderId,
  status,
  version,
  at: '2026-11-25T12:00:00.000Z',
});

describe('order helpers', () => {
  it('accept only known statuses as a filter', () => {
    expect(parseStatus('FAILED')).toBe('FAILED');
    expect(parseStatus('failed')).toBeUndefined();
    expect(parseStatus(null)).toBeUndefined();
  });

  it('offer cancel before confirmation and a return after it, nothing once final', () => {
    expect(ORDER_STATUSES.filter(canCancel)).toEqual(['PENDING', 'CONFIRMED']);
  });

  it('format times in UTC, the same on the server and in the browser', () => {
    expect(formatTime('2026-11-25T03:07:18.123Z')).toBe('2026-11-25 03:07:18 UTC');
    expect(formatTime(undefined)).toBe('');
  });

  it('apply an event only when it is newer than what is known', () => {
    let live = applyOrderEvent({}, event('o1', 2, 'CONFIRMED'));
    const again = applyOrderEvent(live, event('o1', 2, 'CONFIRMED'));
    expect(again).toBe(live);
    live = applyOrderEvent(live, event('o1', 1, 'PENDING'));
    expect(live).toEqual({ o1: { status: 'CONFIRMED', version: 2 } });
  });

  it('show a live status over a row only when the row is older', () => {
    const live = { o1: { status: 'CONFIRMED' as const, version: 3 } };
    expect(withLiveStatus({ id: 'o1', status: 'PENDING', version: 1 }, live)).toEqual({ id: 'o1', status: 'CONFIRMED', version: 3 });
    expect(withLiveStatus({ id: 'o1', status: 'CANCELLED', version: 5 }, live)).toEqual({ id: 'o1', status: 'CANCELLED', version: 5 });
    expect(withLiveStatus({ id: 'o2', status: 'PENDING', version: 1 }, live).status).toBe('PENDING');
  });
});

describe('new order form fields', () => {
  const formOf = (fields: [string, string][]) => {
    const data = new FormData();
    for (const [name, value] of fields) data.append(name, value);
    return data;
  };

  it('pair each item with its quantity', () => {
    const draft = readDraft(
      formOf([
        ['idempotency_key', 'k'],
        ['item_id', 'ps5'],
        ['quantity', '2'],
        ['item_id', 'xbox'],
        ['quantity', '3'],
      ]),
    );
    expect(draft).toEqual({
      key: 'k',
      lines: [
        { item_id: 'ps5', quantity: '2' },
        { item_id: 'xbox', quantity: '3' },
      ],
    });
    expect(parseOrder(draft)).toEqual({
      ok: true,
      key: 'k',
      lines: [
        { item_id: 'ps5', quantity: 2 },
        { item_id: 'xbox', quantity: 3 },
      ],
    });
  });

  it('refuse a form without key, without items, or with a bad quantity', () => {
    expect(parseOrder({ key: '', lines: [{ item_id: 'ps5', quantity: '1' }] })).toMatchObject({
      ok: false,
      error: expect.stringContaining('key'),
    });
    expect(parseOrder({ key: 'k', lines: [EMPTY_LINE] })).toEqual({ ok: false, error: 'Choose at least one item.' });
    for (const quantity of ['0', '1.5', '1001', '', 'two']) {
      expect(parseOrder({ key: 'k', lines: [{ item_id: 'ps5', quantity }] })).toMatchObject({ ok: false });
    }
  });

  it('add and remove lines, never below one and never above the gateway’s limit', () => {
    const one = { key: 'k', lines: [{ item_id: 'ps5', quantity: '2' }] };
    const two = editDraft(one, 'add-line')!;
    expect(two.lines).toEqual([{ item_id: 'ps5', quantity: '2' }, EMPTY_LINE]);
    expect(editDraft(two, 'remove-line:0')!.lines).toEqual([EMPTY_LINE]);
    expect(editDraft(one, 'remove-line:0')!.lines).toEqual([EMPTY_LINE]);
    const full = { key: 'k', lines: Array.from({ length: MAX_LINES }, () => EMPTY_LINE) };
    expect(editDraft(full, 'add-line')!.lines).toHaveLength(MAX_LINES);
    expect(editDraft(one, 'place')).toBeUndefined();
  });
});
