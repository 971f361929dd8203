import { fileURLToPath } from 'node:url';
import { type NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { TASK_QUEUE } from '../shared/order-workflow';
import type { createOrderActivities } from '../activities';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

export interface OrderWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  activities: ReturnType<typeof createOrderActivities>;
  taskQueue?: string;
  /** Prebuilt bundle code; without it the workflows are bundled from source at start (~1 s). */
  workflowBundleCode?: string;
  tuning?: Pick<
    WorkerOptions,
    'maxConcurrentActivityTaskExecutions' | 'maxConcurrentWorkflowTaskExecutions' | 'maxCachedWorkflows' | 'shutdownGraceTime'
  >;
}

/** The one place that knows which workflows and activities a worker serves; the process and tests share it. */
export function createOrderWorker(options: OrderWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue ?? TASK_QUEUE,
    activities: options.activities,
    ...(options.workflowBundleCode ? { workflowBundle: { code: options.workflowBundleCode } } : { workflowsPath: WORKFLOWS_PATH }),
    ...options.tuning,
  });
}
