import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  TEST_IMAGE,
  buildValerixImage,
  containerTools,
  driveHealthchecks,
  podman,
  removeLeftoverContainers,
  run,
  startPodmanService,
  type ContainerTools,
  type PodmanService,
} from '../../support/podman';
import {
  CONTAINER_SECRETS,
  SERVICES,
  containerServiceEnv,
  freeContainerPorts,
  healthUrl,
  waitForHttp200,
  type ContainerPorts,
} from './settings';

/**
 * docker-compose.yml's own Valerix services brought up by Docker Compose v2 (the binary
 * scripts/provision/compose-tools.sh provides) on podman's Docker-compatible API, with
 * deploy/compose/test-override.yml pointing them at the suite's Postgres, Redis and Temporal
 * (the official images of those cannot be pulled here). Compose runs migrate to completion,
 * then starts the rest in its depends_on order, each gated on its HEALTHCHECK.
 */
const infra = inject('infra');
const ROOT = infra.root;
const DOCKER_COMPOSE = process.env.DOCKER_COMPOSE_PATH ?? path.join(ROOT, '.tools/bin/docker-compose');
const PROJECT = `valerix-ctest-${randomUUID().slice(0, 6)}`;

let tools: ContainerTools;
let service: PodmanService | undefined;
let tmp: string;
let envFile: string;
let ports: ContainerPorts;

function compose(args: string[], timeoutMs = 300_000) {
  return run(
    DOCKER_COMPOSE,
    [
      '--project-name',
      PROJECT,
      '--project-directory',
      ROOT,
      '--env-file',
      envFile,
      '-f',
      'docker-compose.yml',
      '-f',
      'deploy/compose/test-override.yml',
      ...args,
    ],
    {
      // Only what compose needs: the developer's .env and shell variables stay out of it.
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: tmp, NODE_ENV: 'test', DOCKER_HOST: service!.dockerHost },
      timeoutMs,
      allowFailure: true,
    },
  );
}

beforeAll(async () => {
  if (!fs.existsSync(DOCKER_COMPOSE))
    throw new Error(`docker-compose not found at ${DOCKER_COMPOSE}: run bash scripts/provision/compose-tools.sh`);
  if (infra.temporal.tls || infra.temporal.apiKey)
    throw new Error(
      'deploy/compose/test-override.yml passes no Temporal TLS settings: run this against the dev server (the containers project)',
    );
  tools = containerTools();
  await removeLeftoverContainers(tools);
  // The image test's build, from buildah's layer cache when it ran first in this run.
  const built = await buildValerixImage(tools, TEST_IMAGE);
  console.log(`[containers] ${TEST_IMAGE} for compose: ${built.seconds.toFixed(0)} s`);

  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'valerix-compose-'));
  ports = await freeContainerPorts();
  const env = containerServiceEnv(infra, ports, `orders-compose-${PROJECT}`);
  const variables: Record<string, string> = {
    // docker-compose.yml's required secrets; the infrastructure ones are never used (no Postgres,
    // Redis or Temporal container is started) but compose checks all of them.
    ...CONTAINER_SECRETS,
    POSTGRES_SUPERUSER_PASSWORD: 'unused-superuser-password',
    POSTGRES_OWNER_PASSWORD: 'unused-owner-password',
    POSTGRES_APP_PASSWORD: 'unused-app-password',
    TEMPORAL_DB_PASSWORD: 'unused-temporal-password',
    REDIS_PASSWORD: 'unused-redis-password',
    GRAFANA_ADMIN_PASSWORD: 'unused-grafana-password',
    VALERIX_IMAGE: TEST_IMAGE,
    SEED_DEMO_INVENTORY: 'false',
    LOG_LEVEL: 'warn',
    VALERIX_TEST_ORDERS_MIGRATION_DATABASE_URL: env.migrate.ORDERS_MIGRATION_DATABASE_URL,
    VALERIX_TEST_INVENTORY_MIGRATION_DATABASE_URL: env.migrate.INVENTORY_MIGRATION_DATABASE_URL,
    VALERIX_TEST_ORDERS_DATABASE_URL: infra.ordersDatabaseUrl,
    VALERIX_TEST_INVENTORY_DATABASE_URL: infra.inventoryDatabaseUrl,
    VALERIX_TEST_REDIS_URL: infra.redisUrl,
    // The dev server: plain gRPC, so the address and namespace are all of it.
    VALERIX_TEST_TEMPORAL_ADDRESS: infra.temporal.address,
    VALERIX_TEST_TEMPORAL_NAMESPACE: infra.temporal.namespace,
    VALERIX_TEST_TASK_QUEUE: env.gateway.TEMPORAL_TASK_QUEUE,
    VALERIX_TEST_INVENTORY_PORT: String(ports.inventory),
    VALERIX_TEST_WORKER_PORT: String(ports.worker),
    VALERIX_TEST_WORKER_SDK_METRICS_PORT: String(ports.workerSdkMetrics),
    VALERIX_TEST_GATEWAY_PORT: String(ports.gateway),
    VALERIX_TEST_WEB_PORT: String(ports.web),
  };
  envFile = path.join(tmp, 'compose.env');
  fs.writeFileSync(
    envFile,
    Object.entries(variables)
      .map(([name, value]) => `${name}=${value}\n`)
      .join(''),
    { mode: 0o600 },
  );
  service = await startPodmanService(tools);
});

afterAll(async () => {
  if (service) {
    const down = await compose(['down', '--timeout', '20', '--remove-orphans'], 120_000);
    if (down.code !== 0) console.error(`docker-compose down: ${down.stdout}${down.stderr}`);
    await service.stop();
  }
  // Whatever compose left behind (a failed `down`), by the project's label.
  if (tools) {
    const left = await podman(tools, ['ps', '--all', '--quiet', '--filter', `label=com.docker.compose.project=${PROJECT}`], {
      allowFailure: true,
    });
    const ids = left.stdout.split('\n').filter(Boolean);
    if (ids.length > 0) await podman(tools, ['rm', '--force', ...ids], { allowFailure: true });
  }
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

interface PsEntry {
  Service: string;
  State: string;
  Health: string;
  ExitCode: number;
}

describe('docker compose up on podman (docker-compose.yml + deploy/compose/test-override.yml)', () => {
  it('runs migrate to completion, brings inventory, worker, gateway and web up healthy, and takes them down', async () => {
    const config = await compose(['config', '--services']);
    expect(config.code, config.stderr).toBe(0);
    expect(config.stdout.split('\n').filter(Boolean).sort()).toEqual(['gateway', 'inventory', 'migrate', 'web', 'worker']);

    // podman runs HEALTHCHECKs from systemd timers, and there is no systemd here: trigger them.
    const healthchecks = driveHealthchecks(tools, `label=com.docker.compose.project=${PROJECT}`);
    const started = Date.now();
    let up;
    try {
      up = await compose(['up', '--detach', '--wait', '--wait-timeout', '240', '--no-build'], 300_000);
    } finally {
      await healthchecks.stop();
    }
    const upSeconds = (Date.now() - started) / 1000;
    if (up.code !== 0) {
      const logs = await compose(['logs', '--no-color', '--tail', '30'], 60_000);
      throw new Error(
        `docker-compose up failed (${up.code}):\n${up.stdout}${up.stderr}\n--- logs ---\n${logs.stdout}${logs.stderr}\n--- podman service ---\n${service!.output().slice(-3000)}`,
      );
    }
    console.log(`[containers] compose up --wait: ${upSeconds.toFixed(0)} s`);

    const ps = await compose(['ps', '--all', '--format', 'json']);
    expect(ps.code, ps.stderr).toBe(0);
    // One JSON object per line (Compose v2.21+); an array on older ones.
    const entries: PsEntry[] = ps.stdout.trim().startsWith('[')
      ? (JSON.parse(ps.stdout) as PsEntry[])
      : ps.stdout
          .trim()
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as PsEntry);
    const byService = Object.fromEntries(entries.map((entry) => [entry.Service, entry]));
    expect(byService.migrate?.State, JSON.stringify(byService.migrate)).toBe('exited');
    expect(byService.migrate?.ExitCode).toBe(0);
    for (const name of SERVICES) {
      expect(byService[name], `${name}: ${ps.stdout}`).toMatchObject({ State: 'running', Health: 'healthy' });
      await waitForHttp200(healthUrl(ports, name), 10_000);
      await waitForHttp200(healthUrl(ports, name, true), 30_000);

      // docker-compose.yml's hardening, as podman applied it: user 10001, read-only root, no
      // capabilities, no new privileges (seen from inside, on the service's own process).
      const container = (
        await podman(tools, [
          'ps',
          '--filter',
          `label=com.docker.compose.project=${PROJECT}`,
          '--filter',
          `label=com.docker.compose.service=${name}`,
          '--format',
          '{{.Names}}',
        ])
      ).stdout.trim();
      const inside = await podman(tools, [
        'exec',
        container,
        'sh',
        '-c',
        'id -u; awk \'$2 == "/" {print $4}\' /proc/mounts; grep -E "^(CapEff|NoNewPrivs):" /proc/1/status',
      ]);
      const [uid, rootOptions, capEff, noNewPrivs] = inside.stdout.trim().split('\n');
      expect(uid, `${name} uid`).toBe('10001');
      expect(rootOptions, `${name} / mount`).toMatch(/^ro(,|$)/);
      expect(capEff, name).toMatch(/^CapEff:\s+0+$/);
      expect(noNewPrivs, name).toMatch(/^NoNewPrivs:\s+1$/);
    }

    const down = await compose(['down', '--timeout', '20'], 120_000);
    expect(down.code, `${down.stdout}${down.stderr}`).toBe(0);
    const left = await podman(tools, ['ps', '--all', '--quiet', '--filter', `label=com.docker.compose.project=${PROJECT}`]);
    expect(left.stdout.trim()).toBe('');
  });
});
