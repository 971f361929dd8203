import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { MIGRATION_DIRS, applyMigrations } from './migrate';
import { PG_ROLES, ensureDatabases, startPostgres, type PostgresPasswords, type RunningPostgres } from './postgres';
import { assertPortFree, freePort, waitFor } from './ports';
import { ManagedProcess } from './process';
import { startRedis, type RunningRedis } from './redis';
import { temporalConnectionVariables } from '../shared/temporal-connection';
import { startTemporal, type RunningTemporal } from './temporal';
import { freeTemporalServerPorts, startTemporalServer, temporalServerPortsAround, type TemporalServerPorts } from './temporal-server';

export interface InfraPorts {
  postgres: number;
  redis: number;
  /** The dev server's port, or the real server's frontend. */
  temporal: number;
  /** The real server's other services; by default the official layout around `temporal`. */
  temporalServer?: TemporalServerPorts;
  /** Omit to run Temporal headless. */
  temporalUi?: number;
}

/**
 * `dev`: the Temporal CLI's dev server (one process, SQLite). `server`: the real Temporal server,
 * one process per service on the stack's Postgres, with mTLS on its frontend.
 */
export const TEMPORAL_MODES = ['dev', 'server'] as const;
export type TemporalMode = (typeof TEMPORAL_MODES)[number];

export interface ServicePorts {
  inventory: number;
  gateway: number;
  worker: number;
  /** The Temporal SDK's own metrics exporter, merged into the worker's /metrics; omitted = off. */
  workerSdkMetrics?: number;
  web?: number;
}

/** Free ports for a throwaway stack's infrastructure (tests, chaos, bench): never the defaults. */
export async function freeInfraPorts(temporalMode: TemporalMode): Promise<InfraPorts> {
  const temporal = await freePort();
  return {
    postgres: await freePort(),
    redis: await freePort(),
    temporal,
    // The real server's history, matching and worker services and membership ports, all free.
    ...(temporalMode === 'server' ? { temporalServer: await freeTemporalServerPorts(temporal) } : {}),
  };
}

/** Connection settings of the infrastructure, as the services' env variables (TEMPORAL_* from shared/temporal-connection.ts). */
export type InfraEnv = Record<string, string> & {
  ORDERS_DATABASE_URL: string;
  INVENTORY_DATABASE_URL: string;
  REDIS_URL: string;
  TEMPORAL_ADDRESS: string;
  TEMPORAL_UI_URL?: string;
};

export interface Infrastructure {
  postgres: RunningPostgres;
  redis: RunningRedis;
  temporal: RunningTemporal;
  env: InfraEnv;
  stop(): Promise<void>;
  /** Clean stop and start again on the same port and data (a server restart, as in an upgrade). */
  restart(part: InfraPart): Promise<void>;
}

export type InfraPart = 'postgres' | 'redis' | 'temporal';

type Progress = (message: string) => void;

async function step<T>(progress: Progress, label: string, work: () => Promise<T>): Promise<T> {
  const started = Date.now();
  progress(`${label} ...`);
  const result = await work();
  progress(`${label} ok (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  return result;
}

/** Postgres (orders + inventory databases, migrated), Redis and Temporal (the dev server unless told otherwise). */
export async function startInfrastructure(options: {
  root: string;
  dataDir: string;
  ports: InfraPorts;
  durable: boolean;
  temporalMode?: TemporalMode;
  /** Server mode: the namespace's retention when it is created ('72h', '7d'). */
  temporalRetention?: string;
  /** Redis' password; a random one when omitted (throwaway stacks). */
  redisPassword?: string;
  /** Passwords of the Postgres roles; random ones when omitted (throwaway stacks). */
  postgresPasswords?: PostgresPasswords;
  progress?: Progress;
}): Promise<Infrastructure> {
  const { root, dataDir, ports, durable } = options;
  const random = () => randomBytes(24).toString('base64url');
  const redisPassword = options.redisPassword ?? random();
  const postgresPasswords = options.postgresPasswords ?? { superuser: random(), owner: random(), app: random(), temporal: random() };
  const temporalMode = options.temporalMode ?? 'dev';
  const progress = options.progress ?? (() => undefined);
  const logs = path.join(dataDir, 'logs');
  fs.mkdirSync(logs, { recursive: true });
  await assertPortFree(ports.postgres, 'Postgres');
  await assertPortFree(ports.redis, 'Redis');
  await assertPortFree(ports.temporal, temporalMode === 'dev' ? 'Temporal' : 'Temporal frontend');
  if (ports.temporalUi !== undefined) await assertPortFree(ports.temporalUi, 'Temporal Web UI');

  const startParts = {
    postgres: () =>
      startPostgres({
        dataDir: path.join(dataDir, 'postgres'),
        port: ports.postgres,
        logFile: path.join(logs, 'postgres.log'),
        durable,
        passwords: postgresPasswords,
      }),
    redis: () =>
      startRedis({
        dataDir: path.join(dataDir, 'redis'),
        port: ports.redis,
        logFile: path.join(logs, 'redis.log'),
        durable,
        password: redisPassword,
      }),
    temporal: () =>
      temporalMode === 'dev'
        ? startTemporal({
            root,
            dbFile: path.join(dataDir, 'temporal', 'temporal.db'),
            port: ports.temporal,
            uiPort: ports.temporalUi,
            logFile: path.join(logs, 'temporal.log'),
          })
        : startTemporalServer({
            root,
            dataDir: path.join(dataDir, 'temporal-server'),
            ports: ports.temporalServer ?? temporalServerPortsAround(ports.temporal),
            uiPort: ports.temporalUi,
            postgres: {
              port: ports.postgres,
              superuserUrl: running.postgres!.url('superuser', 'postgres'),
              user: PG_ROLES.temporal,
              password: postgresPasswords.temporal,
            },
            tls: true,
            retention: options.temporalRetention,
            logsDir: logs,
          }),
  };
  const running: Partial<{ postgres: RunningPostgres; redis: RunningRedis; temporal: RunningTemporal }> = {};
  const stopAll = async () => {
    for (const part of ['temporal', 'redis', 'postgres'] as const) await running[part]?.stop().catch(() => undefined);
  };
  try {
    const postgres = await step(progress, `postgres :${ports.postgres}`, startParts.postgres);
    running.postgres = postgres;
    await step(progress, 'databases orders + inventory, migrations', async () => {
      await ensureDatabases(postgres.url('superuser', 'postgres'), ['orders', 'inventory']);
      await applyMigrations(postgres.url('owner', 'orders'), path.join(root, MIGRATION_DIRS.orders));
      await applyMigrations(postgres.url('owner', 'inventory'), path.join(root, MIGRATION_DIRS.inventory));
    });
    running.redis = await step(progress, `redis :${ports.redis}`, startParts.redis);
    running.temporal = await step(
      progress,
      `temporal ${temporalMode === 'dev' ? 'dev server' : 'server (frontend, history, matching, worker; mTLS)'} :${ports.temporal}${ports.temporalUi ? ` (web ui :${ports.temporalUi})` : ''}`,
      startParts.temporal,
    );
    const env: InfraEnv = {
      // The services read and write rows: the app role, never the owner.
      ORDERS_DATABASE_URL: postgres.url('app', 'orders'),
      INVENTORY_DATABASE_URL: postgres.url('app', 'inventory'),
      REDIS_URL: running.redis.url,
      TEMPORAL_ADDRESS: running.temporal.address,
      ...temporalConnectionVariables(running.temporal.clientSettings),
      ...(running.temporal.uiUrl ? { TEMPORAL_UI_URL: running.temporal.uiUrl } : {}),
    };
    return {
      get postgres() {
        return running.postgres!;
      },
      get redis() {
        return running.redis!;
      },
      get temporal() {
        return running.temporal!;
      },
      env,
      stop: stopAll,
      async restart(part) {
        await running[part]?.stop();
        // Same port, same data: clients see an outage, not a new server.
        (running as Record<InfraPart, unknown>)[part] = await startParts[part]();
      },
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

export type ServiceRole = 'inventory' | 'worker' | 'gateway' | 'web';

export interface ServiceSpec {
  role: ServiceRole;
  /** The role, or role-N when the role runs several instances (worker-1, worker-2, ...). */
  name: string;
  command: string;
  args: string[];
  healthUrl: string;
  /** This instance's own settings (its ports), over the shared env. */
  env: Record<string, string>;
}

/** How many processes of each scalable role run; each polls the same task queue or serves the same API. */
export interface ServiceScale {
  workers: number;
  gateways: number;
}

const SINGLE_INSTANCES: ServiceScale = { workers: 1, gateways: 1 };

/** Instance i (from 0) of a role listens on its base port + i * INSTANCE_PORT_STEP: gateways 3001, 3101, ...; workers 3003, 3103, ... */
export const INSTANCE_PORT_STEP = 100;
const instancePort = (base: number, index: number) => (base === 0 ? 0 : base + index * INSTANCE_PORT_STEP);

/** The gateways' URLs, first one first: the dashboard and tools take this list. */
export function gatewayUrls(ports: ServicePorts, scale: ServiceScale = SINGLE_INSTANCES): string[] {
  return Array.from({ length: scale.gateways }, (_, i) => `http://127.0.0.1:${instancePort(ports.gateway, i)}`);
}

export function serviceSpecs(root: string, ports: ServicePorts, scale: ServiceScale = SINGLE_INSTANCES): ServiceSpec[] {
  const tsx = (entry: string) => ({ command: process.execPath, args: ['--import', 'tsx', path.join(root, entry)] });
  const named = (role: ServiceRole, count: number, index: number) => (count > 1 ? `${role}-${index + 1}` : role);
  const specs: ServiceSpec[] = [
    {
      role: 'inventory',
      name: 'inventory',
      ...tsx('api/inventory/server.ts'),
      healthUrl: `http://127.0.0.1:${ports.inventory}/health`,
      env: {},
    },
  ];
  for (let i = 0; i < scale.workers; i += 1) {
    const port = instancePort(ports.worker, i);
    specs.push({
      role: 'worker',
      name: named('worker', scale.workers, i),
      ...tsx('workers/main.ts'),
      healthUrl: `http://127.0.0.1:${port}/health`,
      env: { WORKER_HTTP_PORT: String(port), WORKER_SDK_METRICS_PORT: String(instancePort(ports.workerSdkMetrics ?? 0, i)) },
    });
  }
  for (let i = 0; i < scale.gateways; i += 1) {
    const port = instancePort(ports.gateway, i);
    specs.push({
      role: 'gateway',
      name: named('gateway', scale.gateways, i),
      ...tsx('api/gateway/server.ts'),
      healthUrl: `http://127.0.0.1:${port}/health`,
      env: { GATEWAY_PORT: String(port) },
    });
  }
  if (ports.web !== undefined) {
    specs.push({
      role: 'web',
      name: 'web',
      command: process.execPath,
      args: [path.join(root, 'node_modules/@remix-run/serve/dist/cli.js'), path.join(root, 'web/build/server/index.js')],
      healthUrl: `http://127.0.0.1:${ports.web}/health`,
      env: {},
    });
  }
  return specs;
}

function serviceEnv(infra: Infrastructure, ports: ServicePorts, scale: ServiceScale = SINGLE_INSTANCES): Record<string, string> {
  return {
    ...infra.env,
    INVENTORY_PORT: String(ports.inventory),
    GATEWAY_PORT: String(ports.gateway),
    WORKER_HTTP_PORT: String(ports.worker),
    WORKER_SDK_METRICS_PORT: String(ports.workerSdkMetrics ?? 0),
    // remix-serve listens on every interface unless HOST is set; the dashboard acts as an admin.
    ...(ports.web !== undefined ? { PORT: String(ports.web), WEB_PORT: String(ports.web), HOST: '127.0.0.1' } : {}),
    INVENTORY_URL: `http://127.0.0.1:${ports.inventory}`,
    // Every gateway, comma-separated: the dashboard moves on to the next when one is down.
    GATEWAY_URL: gatewayUrls(ports, scale).join(','),
    WORKER_URL: `http://127.0.0.1:${ports.worker}`,
  };
}

/**
 * A supervised application process: restarted with backoff when it dies unexpectedly, the way
 * Kubernetes restarts a crashed container.
 */
export class SupervisedService {
  process: ManagedProcess;
  restarts = 0;
  private quickCrashes = 0;
  private stopping = false;

  constructor(
    readonly spec: ServiceSpec,
    private readonly env: Record<string, string>,
    private readonly logFile: string,
    private readonly onRestart: (name: string, code: number | null) => void = () => undefined,
  ) {
    this.process = this.launch();
  }

  private launch(): ManagedProcess {
    const child = new ManagedProcess({
      name: this.spec.name,
      command: this.spec.command,
      args: this.spec.args,
      env: { ...this.env, ...this.spec.env },
      logFile: this.logFile,
    }).start();
    const startedAt = Date.now();
    child.onExit((code) => {
      if (this.stopping) return;
      this.restarts += 1;
      // Like CrashLoopBackOff: quick successive crashes back off longer; a process that ran a while starts over.
      this.quickCrashes = Date.now() - startedAt > 10_000 ? 0 : this.quickCrashes + 1;
      this.onRestart(this.spec.name, code);
      const backoff = Math.min(250 * 2 ** this.quickCrashes, 10_000);
      setTimeout(() => {
        if (!this.stopping) this.process = this.launch();
      }, backoff).unref();
    });
    return child;
  }

  async waitHealthy(timeoutMs = 90_000): Promise<void> {
    await waitFor(
      `${this.spec.name} (${this.spec.healthUrl})`,
      async () => {
        const response = await fetch(this.spec.healthUrl, { signal: AbortSignal.timeout(1000) });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
      },
      { timeoutMs, intervalMs: 200 },
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n--- last lines of ${this.logFile} ---\n${this.process.tailLog(30)}`);
    });
  }

  /** kill -9, as a crash; the supervisor brings it back. */
  async crash(): Promise<void> {
    await this.process.kill();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.process.stop(15_000);
  }
}

export async function startServices(options: {
  root: string;
  infra: Infrastructure;
  ports: ServicePorts;
  logsDir: string;
  scale?: ServiceScale;
  extraEnv?: Record<string, string>;
  progress?: Progress;
  onRestart?: (name: string, code: number | null) => void;
}): Promise<SupervisedService[]> {
  const progress = options.progress ?? (() => undefined);
  const env = { ...serviceEnv(options.infra, options.ports, options.scale), ...options.extraEnv };
  const services: SupervisedService[] = [];
  try {
    for (const spec of serviceSpecs(options.root, options.ports, options.scale)) {
      const port = new URL(spec.healthUrl).port;
      await assertPortFree(Number(port), spec.name);
      const service = new SupervisedService(spec, env, path.join(options.logsDir, `${spec.name}.log`), options.onRestart);
      services.push(service);
      await step(progress, `${spec.name} :${port}`, () => service.waitHealthy());
    }
    return services;
  } catch (err) {
    for (const service of services.reverse()) await service.stop();
    throw err;
  }
}
