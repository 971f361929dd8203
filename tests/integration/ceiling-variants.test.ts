import { randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createCeilingActivities } from '../../bench/ceiling/activities';
import { ceilingStarter } from '../../bench/ceiling/driver';
import { CEILING_VARIANT_NAMES, CEILING_VARIANTS } from '../../bench/ceiling/variants';
import { CEILING_TASK_QUEUE } from '../../bench/ceiling/workflows';
import { orderStatusSearchAttribute } from '../../shared/order-workflow';
import { temporalConnectOptions } from '../../shared/temporal-connection';

const infra = inject('infra');
let connection: NativeConnection;

beforeAll(async () => {
  connection = await NativeConnection.connect(temporalConnectOptions(infra.temporal));
});
afterAll(async () => {
  await connection?.close();
});

describe("the bench's ceiling variants on the suite's Temporal (its dynamic config)", () => {
  it('each costs what it claims: a local activity schedules no activity task, eager start is granted, the upsert lands', async () => {
    const completions: number[] = [];
    const worker = await Worker.create({
      connection,
      namespace: infra.temporal.namespace,
      taskQueue: CEILING_TASK_QUEUE,
      workflowsPath: new URL('../../bench/ceiling/workflows.ts', import.meta.url).pathname,
      activities: createCeilingActivities(completions),
    });
    // The starter and the worker share one connection: what eager start needs.
    const client = new Client({ connection, namespace: infra.temporal.namespace });
    const prefix = `ceiling-test-${randomUUID()}-`;
    const events = new Map<string, string[]>();
    await worker.runUntil(async () => {
      for (const variant of CEILING_VARIANT_NAMES) {
        const starter = ceilingStarter(client, variant, `${prefix}${variant}-`);
        await starter.start(0);
        expect(starter.run, variant).toMatchObject({ started: 1, failed: 0, eagerlyStarted: CEILING_VARIANTS[variant].eager ? 1 : 0 });
        const handle = client.workflow.getHandle(`${prefix}${variant}-0`);
        await handle.result();
        const history = await handle.fetchHistory();
        events.set(
          variant,
          (history.events ?? []).map((event) => String(event.eventType)),
        );
      }
      const upserted = await client.workflow.getHandle(`${prefix}remote-upsert-0`).describe();
      expect(upserted.typedSearchAttributes.get(orderStatusSearchAttribute)).toBe('CONFIRMED');
    });
    expect(completions).toHaveLength(CEILING_VARIANT_NAMES.length);
    // EventType numbers: 10 ActivityTaskScheduled, 25 MarkerRecorded (a local activity's result).
    const count = (variant: string, type: number) => events.get(variant)!.filter((event) => event === String(type)).length;
    expect([count('remote', 10), count('remote', 25)]).toEqual([1, 0]);
    expect([count('local', 10), count('local', 25)]).toEqual([0, 1]);
    expect([count('local-eager', 10), count('local-eager', 25)]).toEqual([0, 1]);
    expect(events.get('local-eager')!.length).toBeLessThan(events.get('remote')!.length);
  });
});
