import { randomUUID } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NO_FAULTS } from '../../api/inventory/faults';
import { recordHistory } from '../support/histories';
import { bearer, createTestItem, getOrder, postOrder, startTestServices, waitForStatus, type TestServices } from '../support/services';

let s: TestServices;

beforeAll(async () => {
  s = await startTestServices({ policy: { inventoryDeadlineMs: 4_000, inventoryCallTimeoutMs: 1_500 } });
});
afterAll(async () => {
  await s?.stop();
});

const stockOf = async (itemId: string) => (await s.inventoryStore.get(itemId))!.stock;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('order saga against real Temporal, Postgres, Redis and the inventory service', () => {
  it('confirms a multi-line order, deducting each line once', async () => {
    const a = await createTestItem(s.inventoryStore, 10);
    const b = await createTestItem(s.inventoryStore, 10);
    const response = await postOrder(
      s,
      {
        lines: [
          { item_id: a, quantity: 2 },
          { item_id: b, quantity: 3 },
        ],
      },
      { key: randomUUID(), wait: 10 },
    );
    expect(response.status).toBe(201);
    expect(response.body.status).toBe('CONFIRMED');
    expect(response.body.lines.map((line: { status: string }) => line.status)).toEqual(['RESERVED', 'RESERVED']);
    expect(response.headers.get('location')).toBe(`/api/orders/${response.body.id}`);
    expect(await stockOf(a)).toBe(8);
    expect(await stockOf(b)).toBe(7);
    const row = await s.ordersDb.order.findUnique({ where: { id: response.body.id }, include: { lines: true } });
    expect(row?.status).toBe('CONFIRMED');
    expect(row?.lines).toHaveLength(2);
    await recordHistory(s.temporal, response.body.id, 'happy-path');
  });

  it('reads well in the Temporal Web UI: the order summary and details, each activity summary, the current status', async () => {
    const a = await createTestItem(s.inventoryStore, 10);
    const b = await createTestItem(s.inventoryStore, 10);
    const lines = [
      { item_id: a, quantity: 2 },
      { item_id: b, quantity: 1 },
    ];
    const response = await postOrder(s, { lines }, { key: randomUUID(), wait: 10 });
    expect(response.body.status).toBe('CONFIRMED');
    const handle = s.temporal.workflow.getHandle(response.body.id);
    const description = await handle.describe();
    expect(await description.staticSummary()).toBe(`2 lines: ${a} × 2, ${b} × 1`);
    expect(await description.staticDetails()).toContain(`1. ${a} × 2\n2. ${b} × 1`);
    const history = await handle.fetchHistory();
    const converter = defaultPayloadConverter;
    const activitySummaries = (history.events ?? [])
      .filter((event) => event.activityTaskScheduledEventAttributes)
      .map((event) => converter.fromPayload(event.userMetadata!.summary!));
    expect(activitySummaries).toEqual([`reserve ${a} × 2`, `reserve ${b} × 1`]);
    const metadata = await handle.query<{ currentDetails: string }>('__temporal_workflow_metadata');
    expect(metadata.currentDetails).toMatch(/^\*\*CONFIRMED\*\* since \S+ \(confirmed\)$/);
  });

  it('releases line 1 in reverse when line 2 of 3 is out of stock, then fails', async () => {
    const a = await createTestItem(s.inventoryStore, 10);
    const scarce = await createTestItem(s.inventoryStore, 1);
    const c = await createTestItem(s.inventoryStore, 10);
    const response = await postOrder(
      s,
      {
        lines: [
          { item_id: a, quantity: 4 },
          { item_id: scarce, quantity: 2 },
          { item_id: c, quantity: 1 },
        ],
      },
      { key: randomUUID(), wait: 10 },
    );
    expect(response.status).toBe(201);
    expect(response.body.status).toBe('FAILED');
    expect(response.body.reason).toBe('out_of_stock');
    expect(response.body.lines.map((line: { status: string }) => line.status)).toEqual(['RELEASED', 'REJECTED', 'PENDING']);
    expect(await stockOf(a)).toBe(10);
    expect(await stockOf(scarce)).toBe(1);
    expect(await stockOf(c)).toBe(10);
    const steps = response.body.timeline.map((entry: { step: string }) => entry.step);
    expect(steps).toEqual(['recorded', 'line reserved', 'line rejected', 'compensating', 'line released', 'failed']);
    await recordHistory(s.temporal, response.body.id, 'compensated-out-of-stock');
  });

  it('fails an order for an unknown item without retrying', async () => {
    const response = await postOrder(s, { item_id: 'no-such-item', quantity: 1 }, { key: randomUUID(), wait: 10 });
    expect(response.body.status).toBe('FAILED');
    expect(response.body.reason).toBe('unknown_item');
    expect(response.body.lines[0].attempts).toBe(0);
  });

  it('cancels before confirmation: compensates and ends CANCELLED with the stock untouched', async () => {
    const itemId = await createTestItem(s.inventoryStore, 5);
    // Hold every reservation so the cancel arrives mid-saga.
    s.faults.current = { ...NO_FAULTS, beforeCommit: () => sleep(1_000) };
    try {
      const placed = await postOrder(s, { item_id: itemId, quantity: 2 }, { key: randomUUID() });
      expect(placed.status).toBe(202);
      await sleep(300);
      const cancel = await fetch(`${s.gatewayUrl}/api/orders/${placed.body.id}/cancel`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer(s.clientKey) },
        body: JSON.stringify({ reason: 'changed my mind' }),
      });
      const body = (await cancel.json()) as { status: string; reason: string };
      expect([200, 202]).toContain(cancel.status);
      const final = await waitForStatus(s, placed.body.id, ['CANCELLED', 'CONFIRMED', 'FAILED']);
      expect(final.status).toBe('CANCELLED');
      expect(final.reason ?? body.reason).toBe('cancelled');
      // The reservation may have committed after the cancel; either way it is released.
      await sleep(1_500);
      expect(await stockOf(itemId)).toBe(5);
      await recordHistory(s.temporal, placed.body.id, 'cancelled-before-confirmation');
    } finally {
      s.faults.current = NO_FAULTS;
    }
  });

  it('cancels after confirmation as a return: releases the stock', async () => {
    const itemId = await createTestItem(s.inventoryStore, 5);
    const placed = await postOrder(s, { item_id: itemId, quantity: 2 }, { key: randomUUID(), wait: 10 });
    expect(placed.body.status).toBe('CONFIRMED');
    expect(await stockOf(itemId)).toBe(3);
    const cancel = await fetch(`${s.gatewayUrl}/api/orders/${placed.body.id}/cancel`, { method: 'POST', headers: bearer(s.clientKey) });
    expect(cancel.status).toBe(200);
    const body = (await cancel.json()) as { status: string; reason: string };
    expect(body.status).toBe('CANCELLED');
    expect(body.reason).toBe('returned');
    expect(await stockOf(itemId)).toBe(5);
    await recordHistory(s.temporal, placed.body.id, 'returned-after-confirmation');

    const again = await fetch(`${s.gatewayUrl}/api/orders/${placed.body.id}/cancel`, { method: 'POST', headers: bearer(s.clientKey) });
    expect(again.status).toBe(409);
    expect(again.headers.get('content-type')).toContain('application/problem+json');
  });

  it('stores a cancel before acknowledging it: one acknowledged while no worker runs happens once one is back', async () => {
    // An update was lost when Temporal restarted before storing its acceptance, though the worker
    // had already recorded CANCELLING: the order stayed CONFIRMED with the row saying otherwise.
    const itemId = await createTestItem(s.inventoryStore, 5);
    const placed = await postOrder(s, { item_id: itemId, quantity: 2 }, { key: randomUUID(), wait: 10 });
    expect(placed.body.status).toBe('CONFIRMED');
    await s.stopWorker();
    try {
      const cancel = await fetch(`${s.gatewayUrl}/api/orders/${placed.body.id}/cancel`, { method: 'POST', headers: bearer(s.clientKey) });
      expect(cancel.status).toBe(202);
      const history = await s.temporal.workflow.getHandle(placed.body.id).fetchHistory();
      const signals = history.events?.filter((event) => event.workflowExecutionSignaledEventAttributes?.signalName === 'cancelOrder');
      expect(signals).toHaveLength(1);
    } finally {
      await s.startWorker();
    }
    const final = await waitForStatus(s, placed.body.id, ['CANCELLED']);
    expect(final.reason).toBe('returned');
    expect(await stockOf(itemId)).toBe(5);
    // A repeated cancel of a cancelled (finished) order is refused.
    const again = await fetch(`${s.gatewayUrl}/api/orders/${placed.body.id}/cancel`, { method: 'POST', headers: bearer(s.clientKey) });
    expect(again.status).toBe(409);
  }, 60_000);

  it('fails with inventory_unavailable once the inventory deadline passes, releasing what it reserved', async () => {
    const a = await createTestItem(s.inventoryStore, 5);
    const b = await createTestItem(s.inventoryStore, 5);
    // Line 1 reserves, then every call fails before commit.
    let calls = 0;
    s.faults.current = {
      ...NO_FAULTS,
      beforeCommit: async (operation) => {
        if (operation === 'reserve' && ++calls > 1) throw new Error('injected: inventory failing');
      },
    };
    try {
      const placed = await postOrder(
        s,
        {
          lines: [
            { item_id: a, quantity: 1 },
            { item_id: b, quantity: 1 },
          ],
        },
        { key: randomUUID() },
      );
      const final = await waitForStatus(s, placed.body.id, ['FAILED', 'CONFIRMED'], 30_000);
      expect(final.status).toBe('FAILED');
      expect(final.reason).toBe('inventory_unavailable');
      expect(calls).toBeGreaterThan(2);
      expect(await stockOf(a)).toBe(5);
      expect(await stockOf(b)).toBe(5);
      await recordHistory(s.temporal, placed.body.id, 'timed-out-inventory-unavailable');
    } finally {
      s.faults.current = NO_FAULTS;
    }
  });

  it('accepts orders while the inventory service is down and completes them when it is back', async () => {
    const itemId = await createTestItem(s.inventoryStore, 5);
    await s.stopInventory();
    let placed;
    try {
      placed = await postOrder(s, { item_id: itemId, quantity: 1 }, { key: randomUUID() });
      expect(placed.status).toBe(202);
      await sleep(1_500);
      expect((await getOrder(s, placed.body.id)).body.status).toBe('PENDING');
    } finally {
      await s.startInventory();
    }
    const final = await waitForStatus(s, placed.body.id, ['CONFIRMED', 'FAILED'], 30_000);
    expect(final.status).toBe('CONFIRMED');
    expect(final.lines[0].attempts).toBeGreaterThan(1);
    expect(await stockOf(itemId)).toBe(4);
  });

  it('deducts once when the inventory commits but its answer is lost', async () => {
    const itemId = await createTestItem(s.inventoryStore, 5);
    let dropped = 0;
    s.faults.current = {
      ...NO_FAULTS,
      afterCommit: async (operation) => (operation === 'reserve' && dropped++ === 0 ? 'drop' : 'answer'),
    };
    try {
      const placed = await postOrder(s, { item_id: itemId, quantity: 2 }, { key: randomUUID(), wait: 15 });
      expect(placed.body.status).toBe('CONFIRMED');
      expect(dropped).toBeGreaterThanOrEqual(2);
      expect(placed.body.lines[0].attempts).toBe(2);
      expect(await stockOf(itemId)).toBe(3);
      const { rows } = await s.inventoryPool.query('SELECT count(*)::int AS n FROM stock_movements WHERE reservation_id = $1', [
        placed.body.lines[0].reservation_id,
      ]);
      expect(rows[0].n).toBe(1);
    } finally {
      s.faults.current = NO_FAULTS;
    }
  });

  it('gives exactly `stock` confirmations when 3x the stock is ordered concurrently', async () => {
    const stock = 10;
    const itemId = await createTestItem(s.inventoryStore, stock);
    const responses = await Promise.all(
      Array.from({ length: stock * 3 }, () => postOrder(s, { item_id: itemId, quantity: 1 }, { key: randomUUID() })),
    );
    expect(responses.every((response) => response.status === 202)).toBe(true);
    const finals = await Promise.all(responses.map((response) => waitForStatus(s, response.body.id, ['CONFIRMED', 'FAILED'], 90_000)));
    const confirmed = finals.filter((order) => order.status === 'CONFIRMED');
    const failed = finals.filter((order) => order.status === 'FAILED');
    expect(confirmed).toHaveLength(stock);
    expect(failed).toHaveLength(stock * 2);
    expect(failed.every((order) => order.reason === 'out_of_stock')).toBe(true);
    expect(await stockOf(itemId)).toBe(0);
  });
});
