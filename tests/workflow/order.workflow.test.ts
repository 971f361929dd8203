import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { createOrderActivities } from '../../activities';
import { type OrderInput, type OrderPolicy, type OrderState } from '../../shared/contract/orders';
import {
  ORDER_RECORD_REJECTED,
  ORDER_WORKFLOW_TYPE,
  awaitCancel,
  awaitOutcome,
  cancelOrder,
  getOrderState,
  orderStatusSearchAttribute,
  requestCancel,
} from '../../shared/order-workflow';
import { REFUSALS } from '../../shared/contract/refusals';
import type { orderWorkflowV2 } from '../../workflows/order.workflow';

type Activities = ReturnType<typeof createOrderActivities>;

const suite = inject('workflowSuite');
let env: TestWorkflowEnvironment;
let bundleCode: string;

beforeAll(async () => {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: suite.temporalCliPath },
      searchAttributes: [orderStatusSearchAttribute],
    },
  });
  bundleCode = fs.readFileSync(suite.workflowBundlePath, 'utf8');
});

afterAll(async () => {
  await env?.teardown();
});

const POLICY: OrderPolicy = { inventoryDeadlineMs: 2_000, inventoryCallTimeoutMs: 500, returnWindowMs: 60_000 };

/** Activities that record what the saga asked for, in order; each test overrides the behaviour it needs. */
function fakeActivities(overrides: Partial<Activities> = {}) {
  const calls: string[] = [];
  const recorded: OrderState[] = [];
  const activities: Activities = {
    async recordTransition(state) {
      calls.push(`record ${state.status}`);
      recorded.push(state);
    },
    async reserveLine({ reservationId }) {
      calls.push(`reserve ${reservationId.split(':')[1]}`);
      return { attempt: 1, replayed: false };
    },
    async releaseLine({ reservationId }) {
      calls.push(`release ${reservationId.split(':')[1]}`);
    },
    ...overrides,
  };
  return { activities, calls, recorded };
}

async function runSaga(
  activities: Activities,
  input: Omit<OrderInput, 'orderId' | 'policy'> & { policy?: Partial<OrderPolicy>; indexedAtStart?: boolean },
  drive: (handle: Awaited<ReturnType<typeof env.client.workflow.start<typeof orderWorkflowV2>>>) => Promise<void> = async () => undefined,
) {
  const taskQueue = `wf-${randomUUID()}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: { code: bundleCode },
    activities,
  });
  const orderId = `ord_${randomUUID().replaceAll('-', '')}`;
  return worker.runUntil(async () => {
    const handle = await env.client.workflow.start<typeof orderWorkflowV2>(ORDER_WORKFLOW_TYPE, {
      taskQueue,
      workflowId: orderId,
      args: [{ orderId, lines: input.lines, policy: { ...POLICY, ...input.policy } }],
      // As the gateway starts orders, unless a test asks for a start without it.
      typedSearchAttributes: input.indexedAtStart === false ? [] : [{ key: orderStatusSearchAttribute, value: 'PENDING' }],
    });
    await drive(handle);
    return { handle, state: await handle.query(getOrderState) };
  });
}

const until = async (check: () => boolean, timeoutMs = 10_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

describe('order saga (real dev server, fake activities)', () => {
  it('records, reserves each line in order, then confirms', async () => {
    const { activities, calls } = fakeActivities();
    const { handle, state } = await runSaga(
      activities,
      {
        lines: [
          { itemId: 'a', quantity: 1 },
          { itemId: 'b', quantity: 2 },
        ],
      },
      async (h) => void (await h.executeUpdate(awaitOutcome, { args: [10_000] })),
    );
    expect(state.status).toBe('CONFIRMED');
    expect(calls).toEqual(['record PENDING', 'reserve 1', 'reserve 2', 'record CONFIRMED']);
    expect(state.lines.map((line) => line.status)).toEqual(['RESERVED', 'RESERVED']);
    expect(state.version).toBe(2);
    const description = await handle.describe();
    expect(description.typedSearchAttributes.get(orderStatusSearchAttribute)).toBe('CONFIRMED');
  });

  it('upserts the status search attribute only when it changes what the attribute holds', async () => {
    const upsertsOf = async (indexedAtStart: boolean) => {
      const { handle } = await runSaga(
        fakeActivities().activities,
        { lines: [{ itemId: 'a', quantity: 1 }], indexedAtStart },
        async (h) => void (await h.executeUpdate(awaitOutcome, { args: [10_000] })),
      );
      const history = await handle.fetchHistory();
      const upserts = history.events!.filter((event) => event.upsertWorkflowSearchAttributesEventAttributes).length;
      return { upserts, status: (await handle.describe()).typedSearchAttributes.get(orderStatusSearchAttribute) };
    };
    expect(await upsertsOf(true)).toEqual({ upserts: 1, status: 'CONFIRMED' });
    expect(await upsertsOf(false)).toEqual({ upserts: 2, status: 'CONFIRMED' });
  });

  it('compensates in reverse when line 2 of 3 is out of stock, and never touches line 3', async () => {
    const { activities, calls } = fakeActivities({
      async reserveLine({ reservationId }) {
        const line = reservationId.split(':')[1];
        calls.push(`reserve ${line}`);
        if (line === '3') throw ApplicationFailure.nonRetryable('no stock', REFUSALS.outOfStock.failureType);
        return { attempt: 1, replayed: false };
      },
    });
    const { state } = await runSaga(
      activities,
      {
        lines: [
          { itemId: 'a', quantity: 1 },
          { itemId: 'b', quantity: 1 },
          { itemId: 'c', quantity: 1 },
          { itemId: 'd', quantity: 1 },
        ],
      },
      async (h) => void (await h.executeUpdate(awaitOutcome, { args: [10_000] })),
    );
    expect(state).toMatchObject({ status: 'FAILED', reason: 'out_of_stock' });
    expect(calls).toEqual([
      'record PENDING',
      'reserve 1',
      'reserve 2',
      'reserve 3',
      'record COMPENSATING',
      'release 2',
      'release 1',
      'record FAILED',
    ]);
    expect(state.lines.map((line) => line.status)).toEqual(['RELEASED', 'RELEASED', 'REJECTED', 'PENDING']);
  });

  it('gives up after the inventory deadline: releases the line it was trying, then fails', async () => {
    let attempts = 0;
    const { activities, calls } = fakeActivities({
      async reserveLine() {
        attempts += 1;
        throw new Error('inventory unreachable');
      },
    });
    const { state } = await runSaga(
      activities,
      { lines: [{ itemId: 'a', quantity: 1 }], policy: { inventoryDeadlineMs: 1_500 } },
      async (h) => void (await h.executeUpdate(awaitOutcome, { args: [15_000] })),
    );
    expect(state).toMatchObject({ status: 'FAILED', reason: 'inventory_unavailable' });
    expect(attempts).toBeGreaterThan(1);
    expect(calls).toEqual(['record PENDING', 'record COMPENSATING', 'release 1', 'record FAILED']);
  });

  it('cancels mid-reservation: the in-flight line is released too (its answer may still commit)', async () => {
    let reserveStarted = false;
    const { activities, calls } = fakeActivities({
      async reserveLine({ reservationId }) {
        calls.push(`reserve ${reservationId.split(':')[1]}`);
        reserveStarted = true;
        throw new Error('inventory slow');
      },
    });
    const { state } = await runSaga(
      activities,
      { lines: [{ itemId: 'a', quantity: 1 }], policy: { inventoryDeadlineMs: 30_000 } },
      async (h) => {
        await until(() => reserveStarted);
        const cancelled = await h.executeUpdate(requestCancel, { args: [{ reason: 'test' }] });
        expect(cancelled.status).toBe('CANCELLED');
      },
    );
    expect(state).toMatchObject({ status: 'CANCELLED', reason: 'cancelled' });
    expect(calls.filter((call) => !call.startsWith('reserve'))).toEqual([
      'record PENDING',
      'record CANCELLING',
      'release 1',
      'record CANCELLED',
    ]);
  });

  it('takes a cancel after confirmation as a return, releasing every line in reverse', async () => {
    const { activities, calls } = fakeActivities();
    const { handle, state } = await runSaga(
      activities,
      {
        lines: [
          { itemId: 'a', quantity: 1 },
          { itemId: 'b', quantity: 1 },
        ],
      },
      async (h) => {
        await h.executeUpdate(awaitOutcome, { args: [10_000] });
        await h.signal(cancelOrder, {});
        await h.result();
      },
    );
    expect(state).toMatchObject({ status: 'CANCELLED', reason: 'returned' });
    expect(calls.slice(-4)).toEqual(['record CANCELLING', 'release 2', 'release 1', 'record CANCELLED']);
    expect((await handle.describe()).status.name).toBe('COMPLETED');
  });

  it('refuses a cancel once the return window has closed', async () => {
    const { activities } = fakeActivities();
    const { state } = await runSaga(activities, { lines: [{ itemId: 'a', quantity: 1 }], policy: { returnWindowMs: 300 } }, async (h) => {
      await h.executeUpdate(awaitOutcome, { args: [10_000] });
      await h.result();
      // A finished workflow takes no more updates: the gateway answers 409 from the read model.
      await expect(h.executeUpdate(requestCancel, { args: [{}] })).rejects.toThrow();
    });
    expect(state.status).toBe('CONFIRMED');
  });

  it('rejects a second cancel while the first is still compensating', async () => {
    let releaseCompensation: () => void = () => undefined;
    const compensationHeld = new Promise<void>((resolve) => (releaseCompensation = resolve));
    const { activities } = fakeActivities({
      async releaseLine() {
        await compensationHeld;
      },
    });
    await runSaga(activities, { lines: [{ itemId: 'a', quantity: 1 }] }, async (h) => {
      await h.executeUpdate(awaitOutcome, { args: [10_000] });
      const first = h.executeUpdate(requestCancel, { args: [{}] });
      await expect.poll(async () => (await h.query(getOrderState)).status).toBe('CANCELLING');
      const second = h.executeUpdate(requestCancel, { args: [{}] });
      await expect(second).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
      await expect(second).rejects.toMatchObject({ cause: { message: 'a cancel is already in progress' } });
      releaseCompensation();
      expect((await first).status).toBe('CANCELLED');
    });
  });

  it("answers the gateway's cancel (signal, then awaitCancel) once compensated, and a second one the same", async () => {
    let releaseCompensation: () => void = () => undefined;
    const compensationHeld = new Promise<void>((resolve) => (releaseCompensation = resolve));
    const { activities, calls } = fakeActivities({
      async releaseLine() {
        calls.push('release');
        await compensationHeld;
      },
    });
    await runSaga(activities, { lines: [{ itemId: 'a', quantity: 1 }] }, async (h) => {
      await h.executeUpdate(awaitOutcome, { args: [10_000] });
      await h.signal(cancelOrder, { reason: 'first' });
      const held = await h.executeUpdate(awaitCancel, { args: [200] });
      expect(held).toMatchObject({ state: { status: 'CANCELLING', cancelRequested: true } });
      expect(held.refusal).toBeUndefined();
      // A repeated cancel is ignored by the saga and waits for the same outcome.
      await h.signal(cancelOrder, { reason: 'second' });
      const second = h.executeUpdate(awaitCancel, { args: [10_000] });
      releaseCompensation();
      const settled = await second;
      expect(settled.state).toMatchObject({ status: 'CANCELLED', reason: 'returned' });
      expect(settled.refusal).toBeUndefined();
      expect(calls.filter((call) => call === 'release')).toHaveLength(1);
    });
  });

  it('answers awaitCancel with the refusal when the signal found nothing to cancel (an order already failing)', async () => {
    let releaseCompensation: () => void = () => undefined;
    const compensationHeld = new Promise<void>((resolve) => (releaseCompensation = resolve));
    const { activities } = fakeActivities({
      async reserveLine({ reservationId }) {
        if (reservationId.endsWith(':2')) throw ApplicationFailure.nonRetryable('gone', REFUSALS.outOfStock.failureType);
        return { attempt: 1, replayed: false };
      },
      async releaseLine() {
        await compensationHeld;
      },
    });
    await runSaga(
      activities,
      {
        lines: [
          { itemId: 'a', quantity: 1 },
          { itemId: 'b', quantity: 1 },
        ],
      },
      async (h) => {
        await expect.poll(async () => (await h.query(getOrderState)).status).toBe('COMPENSATING');
        await h.signal(cancelOrder, {});
        const answer = await h.executeUpdate(awaitCancel, { args: [10_000] });
        expect(answer.refusal).toBe('the order is already COMPENSATING');
        expect(answer.state.cancelRequested).toBe(false);
        releaseCompensation();
        expect((await h.result()).status).toBe('FAILED');
      },
    );
  });

  it('treats a cancellation from Temporal itself like a cancel request', async () => {
    let reserveStarted = false;
    const { activities, calls } = fakeActivities({
      async reserveLine() {
        reserveStarted = true;
        throw new Error('inventory slow');
      },
    });
    const { state } = await runSaga(
      activities,
      { lines: [{ itemId: 'a', quantity: 1 }], policy: { inventoryDeadlineMs: 30_000 } },
      async (h) => {
        await until(() => reserveStarted);
        await h.cancel();
        await h.result();
      },
    );
    expect(state.status).toBe('CANCELLED');
    expect(calls).toEqual(['record PENDING', 'record CANCELLING', 'release 1', 'record CANCELLED']);
  });

  it('answers awaitOutcome only once the outcome is written to the read model', async () => {
    let releaseWrite: () => void = () => undefined;
    const written = new Promise<void>((resolve) => (releaseWrite = resolve));
    const { activities } = fakeActivities({
      async recordTransition(state) {
        if (state.status === 'CONFIRMED') await written;
      },
    });
    await runSaga(activities, { lines: [{ itemId: 'a', quantity: 1 }] }, async (h) => {
      const early = await h.executeUpdate(awaitOutcome, { args: [500] });
      expect(early.status).toBe('CONFIRMED'); // the live state moved on...
      let answered = false;
      const outcome = h.executeUpdate(awaitOutcome, { args: [10_000] }).then((result) => {
        answered = true;
        return result;
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(answered).toBe(false); // ...but the waiting caller is held until the write lands
      releaseWrite();
      expect((await outcome).status).toBe('CONFIRMED');
    });
  });

  it('compensates and fails, without free text, when the database refuses a transition (OrderRecordRejected)', async () => {
    const { activities, calls, recorded } = fakeActivities({
      async recordTransition(state) {
        calls.push(`record ${state.status}`);
        if (state.status === 'CONFIRMED') throw ApplicationFailure.nonRetryable('invalid byte sequence', ORDER_RECORD_REJECTED);
        recorded.push(state);
      },
    });
    const { handle, state } = await runSaga(
      activities,
      {
        lines: [
          { itemId: 'a', quantity: 1 },
          { itemId: 'b', quantity: 2 },
        ],
      },
      async (h) => {
        await h.result();
      },
    );
    expect(calls).toEqual(['record PENDING', 'reserve 1', 'reserve 2', 'record CONFIRMED', 'release 2', 'release 1', 'record FAILED']);
    expect(state).toMatchObject({ status: 'FAILED', reason: 'record_rejected' });
    expect(state.lines.map((line) => line.status)).toEqual(['RELEASED', 'RELEASED']);
    const final = recorded.at(-1)!;
    expect(final.status).toBe('FAILED');
    expect(final.timeline.some((entry) => entry.detail !== undefined)).toBe(false);
    expect((await handle.describe()).status.name).toBe('COMPLETED');
  });

  it('gives the stock back even when the final FAILED is refused too, then fails the workflow', async () => {
    const { activities, calls } = fakeActivities({
      async recordTransition(state) {
        calls.push(`record ${state.status}`);
        if (state.status !== 'PENDING') throw ApplicationFailure.nonRetryable('numeric field overflow', ORDER_RECORD_REJECTED);
      },
    });
    const { handle } = await runSaga(activities, { lines: [{ itemId: 'a', quantity: 1 }] }, async (h) => {
      await expect(h.result()).rejects.toThrow();
    });
    expect(calls).toEqual(['record PENDING', 'reserve 1', 'record CONFIRMED', 'release 1', 'record FAILED']);
    expect((await handle.describe()).status.name).toBe('FAILED');
  });
});
