import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { WORKFLOWS_PATH } from './order-worker';

const quiet = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: (message: string) => console.error(message),
};

/** Bundles the workflows ahead of time, so a worker starts without webpack (WORKFLOW_BUNDLE_PATH). */
export async function writeWorkflowBundle(dir: string, workflowsPath = WORKFLOWS_PATH, fileName = 'workflow-bundle.js'): Promise<string> {
  const bundle = await bundleWorkflowCode({ workflowsPath, logger: quiet });
  const file = path.join(dir, fileName);
  fs.writeFileSync(file, bundle.code);
  return file;
}
