import { freePort } from '../../../infra/ports';
import { postgresUrl } from '../../../infra/postgres';
import { temporalConnectionVariables } from '../../../shared/temporal-connection';
import type { TestInfra } from '../../support/vitest-context';

/** The image runs with NODE_ENV=production, which refuses the published development secrets: these are the tests' own (≥ 16 characters). */
export const CONTAINER_SECRETS = {
  ADMIN_TOKEN: 'container-test-admin-token-01',
  INVENTORY_SERVICE_TOKEN: 'container-test-service-token-01',
  DASHBOARD_PASSWORD: 'container-test-dashboard-01',
  SESSION_SECRET: 'container-test-session-secret-01',
};

export interface ContainerPorts {
  web: number;
  gateway: number;
  inventory: number;
  worker: number;
  workerSdkMetrics: number;
}

export async function freeContainerPorts(): Promise<ContainerPorts> {
  return {
    web: await freePort(),
    gateway: await freePort(),
    inventory: await freePort(),
    worker: await freePort(),
    workerSdkMetrics: await freePort(),
  };
}

/**
 * Each service's settings for a container on the host's network against the suite's Postgres,
 * Redis and Temporal dev server (all on 127.0.0.1): free ports, listening on loopback only.
 * A task queue of its own keeps the worker away from anything else on that Temporal.
 */
export function containerServiceEnv(infra: TestInfra, ports: ContainerPorts, taskQueue: string) {
  const local = (port: number) => `http://127.0.0.1:${port}`;
  const temporal = { ...temporalConnectionVariables(infra.temporal), TEMPORAL_TASK_QUEUE: taskQueue };
  return {
    migrate: {
      ORDERS_MIGRATION_DATABASE_URL: postgresUrl(infra.postgres, 'owner', 'orders'),
      INVENTORY_MIGRATION_DATABASE_URL: postgresUrl(infra.postgres, 'owner', 'inventory'),
      SEED_DEMO_INVENTORY: 'false',
    },
    inventory: {
      INVENTORY_HOST: '127.0.0.1',
      INVENTORY_PORT: String(ports.inventory),
      INVENTORY_DATABASE_URL: infra.inventoryDatabaseUrl,
      REDIS_URL: infra.redisUrl,
      ADMIN_TOKEN: CONTAINER_SECRETS.ADMIN_TOKEN,
      INVENTORY_SERVICE_TOKEN: CONTAINER_SECRETS.INVENTORY_SERVICE_TOKEN,
      LOG_LEVEL: 'warn',
    },
    worker: {
      ...temporal,
      WORKER_HTTP_HOST: '127.0.0.1',
      WORKER_HTTP_PORT: String(ports.worker),
      WORKER_SDK_METRICS_PORT: String(ports.workerSdkMetrics),
      ORDERS_DATABASE_URL: infra.ordersDatabaseUrl,
      REDIS_URL: infra.redisUrl,
      INVENTORY_URL: local(ports.inventory),
      INVENTORY_SERVICE_TOKEN: CONTAINER_SECRETS.INVENTORY_SERVICE_TOKEN,
      LOG_LEVEL: 'warn',
    },
    gateway: {
      ...temporal,
      GATEWAY_HOST: '127.0.0.1',
      GATEWAY_PORT: String(ports.gateway),
      ORDERS_DATABASE_URL: infra.ordersDatabaseUrl,
      REDIS_URL: infra.redisUrl,
      INVENTORY_URL: local(ports.inventory),
      ADMIN_TOKEN: CONTAINER_SECRETS.ADMIN_TOKEN,
      LOG_LEVEL: 'warn',
    },
    web: {
      HOST: '127.0.0.1',
      PORT: String(ports.web),
      GATEWAY_URL: local(ports.gateway),
      INVENTORY_URL: local(ports.inventory),
      WORKER_URL: local(ports.worker),
      TEMPORAL_NAMESPACE: infra.temporal.namespace,
      ADMIN_TOKEN: CONTAINER_SECRETS.ADMIN_TOKEN,
      DASHBOARD_PASSWORD: CONTAINER_SECRETS.DASHBOARD_PASSWORD,
      SESSION_SECRET: CONTAINER_SECRETS.SESSION_SECRET,
    },
  } satisfies Record<string, Record<string, string>>;
}

/**
 * The settings of the image's `backup` and `restore-drill` (backup/config.ts) against the suite's
 * Postgres, whose orders and inventory it dumps, and an S3-compatible server (versitygw), under a
 * key prefix of the test's own. The drill restores into databases with the test's own suffix.
 */
export function containerBackupEnv(
  infra: TestInfra,
  s3: { endpoint: string; bucket: string; accessKeyId: string; secretAccessKey: string },
  runId: string,
) {
  return {
    BACKUP_POSTGRES_URL: postgresUrl(infra.postgres, 'superuser', 'postgres'),
    BACKUP_RECORD_DATABASE_URL: infra.ordersDatabaseUrl,
    BACKUP_S3_ENDPOINT: s3.endpoint,
    BACKUP_S3_BUCKET: s3.bucket,
    BACKUP_S3_PREFIX: `containers-${runId}/`,
    AWS_ACCESS_KEY_ID: s3.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
    RESTORE_DATABASE_SUFFIX: `_drill_${runId}`,
    LOG_LEVEL: 'warn',
  };
}

export const SERVICES = ['inventory', 'worker', 'gateway', 'web'] as const;
export type ContainerService = (typeof SERVICES)[number];

export const healthUrl = (ports: ContainerPorts, service: ContainerService, deep = false) =>
  `http://127.0.0.1:${ports[service]}/health${deep ? '/deep' : ''}`;

/** Polls until the URL answers 200, or throws with the last answer (or error) after `timeoutMs`. */
export async function waitForHttp200(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: string;
  for (;;) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(3_000) });
      if (response.status === 200) return;
      last = `${response.status} ${(await response.text()).slice(0, 300)}`;
    } catch (err) {
      last = (err as Error).cause ? String((err as Error & { cause: Error }).cause.message) : (err as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`${url}: no 200 within ${timeoutMs / 1000} s (last: ${last})`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
