import { proxyActivities, proxyLocalActivities, upsertSearchAttributes } from '@temporalio/workflow';
import { orderStatusSearchAttribute } from '../../shared/order-workflow';
import type { createCeilingActivities } from './activities';

export const CEILING_TASK_QUEUE = 'bench-ceiling';

type CeilingActivities = ReturnType<typeof createCeilingActivities>;
const remote = proxyActivities<CeilingActivities>({ startToCloseTimeout: '10s' });
const local = proxyLocalActivities<CeilingActivities>({ startToCloseTimeout: '10s' });

/** Temporal's floor of work per workflow: start, one activity, complete. */
export async function benchCeilingWorkflow(): Promise<void> {
  await remote.noop();
}

/** The same with a local activity: no activity task, its result recorded with the workflow task. */
export async function benchCeilingLocalWorkflow(): Promise<void> {
  await local.noop();
}

/** One remote activity plus one search-attribute upsert: the cost of a visibility write. */
export async function benchCeilingUpsertWorkflow(): Promise<void> {
  await remote.noop();
  upsertSearchAttributes([{ key: orderStatusSearchAttribute, value: 'CONFIRMED' }]);
}
