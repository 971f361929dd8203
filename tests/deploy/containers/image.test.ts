import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../../infra/ports';
import { postgresUrl } from '../../../infra/postgres';
import { startS3Server } from '../../../infra/s3';
import {
  TEST_LABEL,
  buildValerixImage,
  containerTools,
  podman,
  removeLeftoverContainers,
  type BuiltImage,
  type ContainerTools,
} from '../../support/podman';
import {
  SERVICES,
  containerBackupEnv,
  containerServiceEnv,
  freeContainerPorts,
  healthUrl,
  waitForHttp200,
  type ContainerPorts,
} from './settings';

/**
 * The Dockerfile built for real with buildah, FROM the local node base that
 * scripts/provision/container-tools.sh makes (no registry is reachable here), then each process run
 * with podman the way docker-compose.yml and k8s/ run it: read-only root filesystem, a tmpfs on
 * /tmp, every capability dropped, no new privileges, on the host's network against the suite's
 * Postgres, Redis and Temporal dev server (and, for the backup, an S3-compatible server).
 */
const infra = inject('infra');
const RUN_ID = randomUUID().slice(0, 8);
/** Ceiling on the image's size: catches a stage or cache leaking into the final image. */
const MAX_IMAGE_MB = 500;

let tools: ContainerTools;
let built: BuiltImage;
const started: string[] = [];

/** `podman run` with the hardening the deployments use; /tmp as large as the process's emptyDir. */
const hardenedWith = (tmpSize: string) => [
  '--label',
  TEST_LABEL,
  '--read-only',
  '--tmpfs',
  `/tmp:rw,nosuid,nodev,size=${tmpSize}`,
  '--cap-drop',
  'ALL',
  '--security-opt',
  'no-new-privileges',
];
const hardened = hardenedWith('64m');
const envArgs = (env: Record<string, string>) => Object.entries(env).flatMap(([name, value]) => ['-e', `${name}=${value}`]);

beforeAll(async () => {
  tools = containerTools();
  await removeLeftoverContainers(tools);
  built = await buildValerixImage(tools);
  console.log(`[containers] ${built.image}: buildah build ${built.seconds.toFixed(0)} s, ${(built.sizeBytes / 1e6).toFixed(0)} MB`);
});

afterAll(async () => {
  if (tools && started.length > 0) await podman(tools, ['rm', '--force', '--time', '5', ...started], { allowFailure: true });
});

describe('the image (buildah build, podman run)', () => {
  it(`is at most ${MAX_IMAGE_MB} MB and declares user 10001, tini and a HEALTHCHECK`, async () => {
    expect(built.sizeBytes / 1e6).toBeLessThan(MAX_IMAGE_MB);
    const [inspected] = JSON.parse((await podman(tools, ['image', 'inspect', built.image])).stdout) as {
      Config: { User?: string; Entrypoint?: string[] };
      /** podman reports it beside Config; it exists only in Docker-format images. */
      Healthcheck?: { Test?: string[] };
    }[];
    expect(inspected!.Config.User).toBe('10001:10001');
    expect(inspected!.Config.Entrypoint).toEqual(['/usr/bin/tini', '--', '/app/deploy/image/entrypoint.sh']);
    expect(inspected!.Healthcheck?.Test).toEqual(['CMD', 'node', '/app/deploy/image/healthcheck.mjs']);
  });

  it('runs as a user that is not root, with a read-only root filesystem and a writable /tmp', async () => {
    const inContainer = (script: string) =>
      podman(tools, ['run', '--rm', ...hardened, built.image, 'sh', '-c', script], { allowFailure: true });
    const ids = await inContainer('id -u; id -g');
    expect(ids.code, ids.stderr).toBe(0);
    const [uid, gid] = ids.stdout.trim().split('\n');
    expect(uid).not.toBe('0');
    expect(uid).toBe('10001');
    expect(gid).toBe('10001');

    for (const target of ['/probe', '/app/probe', '/app/dist/gateway.mjs']) {
      const write = await inContainer(`echo x > ${target}`);
      expect(write.code, `writing ${target} must fail`).not.toBe(0);
      expect(write.stderr).toMatch(/Read-only file system|Permission denied/);
    }
    // The root filesystem itself is mounted read-only (not only unwritable to this user).
    const mounts = await inContainer('awk \'$2 == "/" {print $4}\' /proc/mounts; touch /tmp/probe && echo tmp-ok');
    expect(mounts.stdout.split('\n')[0]).toMatch(/^ro(,|$)/);
    expect(mounts.stdout).toContain('tmp-ok');
  });

  it('runs `migrate` as a one-shot: the suite migrated the databases already, so it applies nothing and exits 0', async () => {
    const env = containerServiceEnv(infra, await freeContainerPorts(), 'unused');
    const result = await podman(tools, ['run', '--rm', '--network', 'host', ...hardened, ...envArgs(env.migrate), built.image, 'migrate'], {
      allowFailure: true,
      timeoutMs: 120_000,
    });
    expect(result.code, `${result.stdout}${result.stderr}`).toBe(0);
    expect(result.stdout).toContain('orders: up to date');
    expect(result.stdout).toContain('inventory: up to date');
  });

  it('runs `backup` as a one-shot (pg_dump of the image, upload to S3, once per UTC day) and `restore-drill` on its archive', async () => {
    // The Postgres client tools run as user 10001 on the read-only root (backup/pg-tools.ts finds them there).
    const clientTools = await podman(
      tools,
      [
        'run',
        '--rm',
        ...hardened,
        built.image,
        'sh',
        '-c',
        'for tool in pg_dump pg_dumpall pg_restore; do /usr/lib/postgresql/*/bin/$tool --version || exit 1; done',
      ],
      { allowFailure: true },
    );
    expect(clientTools.code, `${clientTools.stdout}${clientTools.stderr}`).toBe(0);
    expect(clientTools.stdout).toMatch(/^pg_restore \(PostgreSQL\) \d+/m);
    // pg_dump refuses a server newer than itself (the Dockerfile's runtime stage says which client it installs).
    const clientMajor = Number(/^pg_dump \(PostgreSQL\) (\d+)/m.exec(clientTools.stdout)?.[1]);
    const admin = new pg.Client({ connectionString: postgresUrl(infra.postgres, 'superuser', 'postgres') });
    await admin.connect();
    const { rows } = await admin.query<{ v: number }>("SELECT current_setting('server_version_num')::int AS v");
    const serverMajor = Math.floor(rows[0]!.v / 10_000);
    await admin.end();
    expect(serverMajor, `the image's pg_dump ${clientMajor} cannot dump the suite's Postgres ${serverMajor}`).toBeLessThanOrEqual(
      clientMajor,
    );

    const keys = { accessKeyId: 'container-test', secretAccessKey: 'container-test-secret' };
    const s3 = await startS3Server({
      root: infra.root,
      dataDir: path.join(infra.dataDir, `s3-containers-${RUN_ID}`),
      port: await freePort(),
      logFile: path.join(infra.dataDir, 'logs', `s3-containers-${RUN_ID}.log`),
      ...keys,
    });
    const env = containerBackupEnv(infra, { endpoint: s3.endpoint, bucket: 'valerix-backups', ...keys }, RUN_ID);
    // As the CronJob runs it: its emptyDir holds the dumps and the archive.
    const oneShot = (args: string[]) =>
      podman(tools, ['run', '--rm', '--network', 'host', ...hardenedWith('512m'), ...envArgs(env), built.image, ...args], {
        allowFailure: true,
        timeoutMs: 180_000,
      });
    try {
      const client = new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: keys });
      await client.send(new CreateBucketCommand({ Bucket: env.BACKUP_S3_BUCKET }));
      client.destroy();

      // --now pins the UTC day, so the second run falls on the same day whenever the test runs.
      const first = await oneShot(['backup', '--now', '2026-12-03T00:00:05Z']);
      expect(first.code, `${first.stdout}${first.stderr}`).toBe(0);
      expect(first.stdout).toMatch(new RegExp(`^uploaded: ${env.BACKUP_S3_PREFIX}2026-12-03\\.tar\\.gz \\([1-9]\\d* bytes\\)`, 'm'));
      const again = await oneShot(['backup', '--now', '2026-12-03T18:00:00Z']);
      expect(again.code, `${again.stdout}${again.stderr}`).toBe(0);
      expect(again.stdout).toMatch(new RegExp(`^already-done: ${env.BACKUP_S3_PREFIX}2026-12-03\\.tar\\.gz`, 'm'));

      const drill = await oneShot(['restore-drill']);
      expect(drill.code, `${drill.stdout}${drill.stderr}`).toBe(0);
      expect(drill.stdout).toContain('DRILL PASSED');
    } finally {
      await s3.stop();
      const cleanup = new pg.Client({ connectionString: postgresUrl(infra.postgres, 'superuser', 'postgres') });
      await cleanup.connect();
      try {
        for (const database of ['orders', 'inventory']) {
          await cleanup.query(`DROP DATABASE IF EXISTS ${database}${env.RESTORE_DATABASE_SUFFIX} WITH (FORCE)`);
        }
      } finally {
        await cleanup.end();
      }
    }
  });

  it('runs gateway, inventory, worker and web: each answers 200 on /health and /health/deep, and passes its own HEALTHCHECK', async () => {
    const ports: ContainerPorts = await freeContainerPorts();
    const env = containerServiceEnv(infra, ports, `orders-containers-${RUN_ID}`);
    for (const service of SERVICES) {
      const name = `valerix-test-${service}-${RUN_ID}`;
      await podman(tools, [
        'run',
        '--detach',
        '--name',
        name,
        '--network',
        'host',
        ...hardened,
        ...envArgs(env[service]),
        built.image,
        service,
      ]);
      started.push(name);
    }
    const logsOf = async (name: string) => {
      const logs = await podman(tools, ['logs', '--tail', '30', name], { allowFailure: true });
      return `${logs.stdout}${logs.stderr}`;
    };
    for (const service of SERVICES) {
      const name = `valerix-test-${service}-${RUN_ID}`;
      try {
        await waitForHttp200(healthUrl(ports, service), 90_000);
        // Deep: the container reaches Postgres, Redis, Temporal and the other services.
        await waitForHttp200(healthUrl(ports, service, true), 60_000);
      } catch (err) {
        throw new Error(`${service}: ${(err as Error).message}\n${name} logs:\n${await logsOf(name)}`, { cause: err });
      }
      // The image's own HEALTHCHECK (healthcheck.mjs finds the service and its port from PID 1 and the env).
      const check = await podman(tools, ['healthcheck', 'run', name], { allowFailure: true });
      expect(check.code, `${service} HEALTHCHECK: ${check.stdout}${check.stderr}`).toBe(0);
      const user = await podman(tools, ['exec', name, 'id', '-u'], { allowFailure: true });
      expect(user.stdout.trim(), `${service} runs as`).toBe('10001');
    }
    for (const name of started) {
      const state = (await podman(tools, ['inspect', '--format', '{{.State.Status}} {{.State.Health.Status}}', name])).stdout.trim();
      expect(state, name).toBe('running healthy');
    }
  });

  it('stops on SIGTERM within the grace period (tini forwards it; the services shut down cleanly)', async () => {
    expect(started.length).toBe(SERVICES.length);
    const startedAt = Date.now();
    await podman(tools, ['stop', '--time', '20', ...started]);
    const seconds = (Date.now() - startedAt) / 1000;
    expect(seconds).toBeLessThan(20);
    for (const name of started) {
      const exitCode = (await podman(tools, ['inspect', '--format', '{{.State.ExitCode}}', name])).stdout.trim();
      // 0: a clean shutdown; 143 would be the signal's default action, i.e. no handler ran.
      expect(exitCode, `${name} exit code`).toBe('0');
    }
  });
});
