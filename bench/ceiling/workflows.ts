import { proxyActivities } from '@temporalio/workflow';
import type { createCeilingActivities } from './activities';

export const CEILING_TASK_QUEUE = 'bench-ceiling';

const { noop } = proxyActivities<ReturnType<typeof createCeilingActivities>>({ startToCloseTimeout: '10s' });

/** Temporal's floor of work per workflow: start, one activity, complete. */
export async function benchCeilingWorkflow(): Promise<void> {
  await noop();
}
