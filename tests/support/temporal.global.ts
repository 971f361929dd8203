import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { temporalCliPath } from '../../infra/temporal';
import type {} from './vitest-context';
import { writeWorkflowBundle } from '../../workers/workflow-bundle';

/** The workflow suite starts its own dev servers (TestWorkflowEnvironment); it needs the CLI and a bundle. */
export default async function setup(project: TestProject) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'valerix-workflow-'));
  project.provide('workflowSuite', {
    temporalCliPath: temporalCliPath(path.resolve(import.meta.dirname, '../..')),
    workflowBundlePath: await writeWorkflowBundle(dir),
  });
  return () => fs.rmSync(dir, { recursive: true, force: true });
}
