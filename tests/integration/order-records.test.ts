import { afterAll, describe, expect, inject, it } from 'vitest';
import { UnstorableTransition, createOrderRecords } from '../../shared/order-records';
import type { LineStatus, OrderState, OrderStatus } from '../../shared/contract/orders';
import { createOrdersDb } from '../../shared/orders-db';

const db = createOrdersDb(inject('infra').ordersDatabaseUrl);
const store = createOrderRecords(db);
afterAll(() => db.$disconnect());

let orderCount = 0;
function newOrderId(): string {
  orderCount += 1;
  return `ord_store_${Date.now()}_${orderCount}`;
}

function transition(orderId: string, version: number, status: OrderStatus, lineStatuses: LineStatus[], lastError?: string): OrderState {
  const at = new Date(Date.UTC(2026, 10, 25, 8, 0, version)).toISOString();
  return {
    orderId,
    status,
    version,
    reason: status === 'FAILED' ? 'out_of_stock' : undefined,
    cancelRequested: false,
    createdAt: new Date(Date.UTC(2026, 10, 25, 8, 0, 0)).toISOString(),
    updatedAt: at,
    completedAt: status === 'FAILED' ? at : undefined,
    timeline: [{ at, status, step: `step ${version}` }],
    lines: lineStatuses.map((lineStatus, index) => ({
      lineNo: index + 1,
      itemId: `item-${index + 1}`,
      quantity: index + 1,
      reservationId: `${orderId}:${index + 1}`,
      status: lineStatus,
      attempts: version,
      lastError: index === lineStatuses.length - 1 ? lastError : undefined,
    })),
  };
}

const readOrder = (orderId: string) => db.order.findUnique({ where: { id: orderId }, include: { lines: { orderBy: { lineNo: 'asc' } } } });

describe('order store (the read model the saga writes)', () => {
  it('inserts the first transition with its lines, then moves the order forward', async () => {
    const orderId = newOrderId();
    expect(await store.saveTransition(transition(orderId, 1, 'PENDING', ['PENDING', 'PENDING']))).toEqual({ written: true });
    let row = await readOrder(orderId);
    expect(row).toMatchObject({ status: 'PENDING', version: 1, reason: null, completedAt: null });
    expect(row!.lines.map((line) => [line.lineNo, line.itemId, line.quantity, line.status])).toEqual([
      [1, 'item-1', 1, 'PENDING'],
      [2, 'item-2', 2, 'PENDING'],
    ]);

    const failed = transition(orderId, 3, 'FAILED', ['RELEASED', 'REJECTED'], 'out of stock');
    expect(await store.saveTransition(failed)).toEqual({ written: true });
    row = await readOrder(orderId);
    expect(row).toMatchObject({ status: 'FAILED', version: 3, reason: 'out_of_stock', completedAt: new Date(failed.completedAt!) });
    expect(row!.timeline).toEqual(failed.timeline);
    expect(row!.lines.map((line) => [line.status, line.attempts, line.lastError])).toEqual([
      ['RELEASED', 3, null],
      ['REJECTED', 3, 'out of stock'],
    ]);
  });

  it('ignores a late retry of an older or the same transition, lines included', async () => {
    const orderId = newOrderId();
    await store.saveTransition(transition(orderId, 1, 'PENDING', ['PENDING']));
    await store.saveTransition(transition(orderId, 2, 'CONFIRMED', ['RESERVED']));

    expect(await store.saveTransition(transition(orderId, 1, 'PENDING', ['PENDING']))).toEqual({ written: false });
    expect(await store.saveTransition(transition(orderId, 2, 'COMPENSATING', ['RELEASED']))).toEqual({ written: false });
    const row = await readOrder(orderId);
    expect(row).toMatchObject({ status: 'CONFIRMED', version: 2 });
    expect(row!.lines.map((line) => line.status)).toEqual(['RESERVED']);
  });

  it('ends at the newest transition when writers race in any order', async () => {
    const orderId = newOrderId();
    const versions = [5, 2, 6, 1, 4, 3];
    const results = await Promise.all(
      versions.map((version) =>
        store.saveTransition(transition(orderId, version, version === 6 ? 'CONFIRMED' : 'PENDING', ['RESERVED', 'RESERVED'])),
      ),
    );
    expect(results.filter((result) => result.written).length).toBeGreaterThanOrEqual(1);
    const row = await readOrder(orderId);
    expect(row).toMatchObject({ status: 'CONFIRMED', version: 6 });
    expect(row!.lines.map((line) => line.attempts)).toEqual([6, 6]);
  });

  it('stores text Postgres cannot hold (NUL, lone surrogates) replaced, instead of failing every retry', async () => {
    const orderId = newOrderId();
    const poison = 'stop\u0000now \ud800 and \udc00 then \u0007';
    const state = transition(orderId, 1, 'CANCELLING', ['RESERVED'], poison);
    state.timeline.push({ at: state.updatedAt, status: 'CANCELLING', step: 'cancel requested', detail: poison });
    expect(await store.saveTransition(state)).toEqual({ written: true });
    const row = await readOrder(orderId);
    const stored = 'stop\ufffdnow \ufffd and \ufffd then \ufffd';
    expect(row!.lines[0]!.lastError).toBe(stored);
    expect((row!.timeline as { detail?: string }[]).at(-1)!.detail).toBe(stored);
  });

  it('reports values Postgres refuses (a data exception) as UnstorableTransition, not as a retryable error', async () => {
    const tooBig = transition(newOrderId(), 2 ** 40, 'PENDING', ['PENDING']);
    await expect(store.saveTransition(tooBig)).rejects.toBeInstanceOf(UnstorableTransition);
  });
});
