import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { freeInfraPorts, startInfrastructure, type TemporalMode } from '../../infra/stack';
import { writeWorkflowBundle } from '../../workers/workflow-bundle';
import type {} from './vitest-context';

const ROOT = path.resolve(import.meta.dirname, '../..');
/** Projects that run on the real Temporal server (vitest.deploy.config.ts); every other one gets the dev server. */
export const SERVER_MODE_PROJECTS = ['temporal-server'];

/** Real Postgres, Redis and Temporal on free ports in a throwaway folder, never the developer's stack. */
export default async function setup(project: TestProject) {
  const temporalMode: TemporalMode = SERVER_MODE_PROJECTS.includes(project.name) ? 'server' : 'dev';
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'valerix-test-'));
  fs.chmodSync(dataDir, 0o755); // the postgres user must reach its data folder inside
  const ports = await freeInfraPorts(temporalMode);
  const infra = await startInfrastructure({ root: ROOT, dataDir, ports, durable: false, temporalMode });
  const workflowBundlePath = await writeWorkflowBundle(dataDir);
  project.provide('infra', {
    root: ROOT,
    dataDir,
    ordersDatabaseUrl: infra.env.ORDERS_DATABASE_URL,
    inventoryDatabaseUrl: infra.env.INVENTORY_DATABASE_URL,
    postgres: { port: infra.postgres.port, passwords: infra.postgres.passwords },
    redisUrl: infra.env.REDIS_URL,
    temporalMode,
    temporal: infra.temporal.clientSettings,
    workflowBundlePath,
  });
  return async () => {
    await infra.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
}
