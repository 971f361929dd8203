import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { freePort } from '../../infra/ports';
import { startInfrastructure } from '../../infra/stack';
import { writeWorkflowBundle } from '../../workers/workflow-bundle';
import type {} from './vitest-context';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** Real Postgres, Redis and Temporal on free ports in a throwaway folder, never the developer's stack. */
export default async function setup(project: TestProject) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'valerix-test-'));
  fs.chmodSync(dataDir, 0o755); // the postgres user must reach its data folder inside
  const ports = { postgres: await freePort(), redis: await freePort(), temporal: await freePort() };
  const infra = await startInfrastructure({ root: ROOT, dataDir, ports, durable: false });
  const workflowBundlePath = await writeWorkflowBundle(dataDir);
  project.provide('infra', {
    root: ROOT,
    dataDir,
    ordersDatabaseUrl: infra.env.ORDERS_DATABASE_URL,
    inventoryDatabaseUrl: infra.env.INVENTORY_DATABASE_URL,
    postgres: { port: infra.postgres.port, passwords: infra.postgres.passwords },
    redisUrl: infra.env.REDIS_URL,
    temporalAddress: infra.env.TEMPORAL_ADDRESS,
    temporalPort: ports.temporal,
    workflowBundlePath,
  });
  return async () => {
    await infra.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
}
