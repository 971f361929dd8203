import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import proto from '@temporalio/proto';
import { temporalConnectOptions, type TemporalConnectionSettings } from '../shared/temporal-connection';
import { withClient } from './postgres';
import { assertPortFree, freePortIn, isPortFree, waitFor } from './ports';
import { ManagedProcess } from './process';
import { ensureTemporalCertificates, type TemporalCertificates } from './temporal-tls';
import { SEARCH_ATTRIBUTES, TEMPORAL_NAMESPACE, type RunningTemporal } from './temporal';

/** Pinned in scripts/provision/temporal-server.sh too; the same server the pinned CLI embeds. */
const TEMPORAL_SERVER_VERSION = '1.29.1';
/**
 * How long closed workflows (a CONFIRMED order closes after its return window) stay in Temporal
 * before deletion; the same default as compose's TEMPORAL_RETENTION. The orders database keeps
 * the order either way.
 */
export const DEFAULT_RETENTION = '72h';

/** A retention written as hours or days ('72h', '7d') in milliseconds. */
export function parseRetention(value: string): number {
  const match = /^(\d+)([hd])$/.exec(value);
  if (!match || Number(match[1]) === 0) throw new Error(`retention '${value}': expected hours or days such as 72h or 7d`);
  return Number(match[1]) * (match[2] === 'h' ? 3_600_000 : 86_400_000);
}
/** One process each, started in this order; the frontend is the one clients talk to. */
export const TEMPORAL_SERVICES = ['history', 'matching', 'frontend', 'worker'] as const;
export type TemporalService = (typeof TEMPORAL_SERVICES)[number];

/** gRPC and membership ports of each service, and the frontend's HTTP API port. */
export type TemporalServerPorts = Record<TemporalService, { grpc: number; membership: number }> & { frontendHttp: number };

/** Postgres keeps membership ports in a smallint column: a higher port kills the server. */
const MAX_MEMBERSHIP_PORT = 32767;

/** The official layout around a frontend port (7233: history 7234, matching 7235, worker 7239, membership 6933-6939, HTTP 7243). */
export function temporalServerPortsAround(frontend: number): TemporalServerPorts {
  if (frontend - 300 + 6 > MAX_MEMBERSHIP_PORT) {
    throw new Error(
      `Temporal frontend port ${frontend} is too high for server mode: its membership ports (port - 300 ... port - 294) must be ${MAX_MEMBERSHIP_PORT} or lower; choose TEMPORAL_PORT <= ${MAX_MEMBERSHIP_PORT + 294}`,
    );
  }
  const offsets: Record<TemporalService, number> = { frontend: 0, history: 1, matching: 2, worker: 6 };
  const ports = Object.fromEntries(
    TEMPORAL_SERVICES.map((service) => [service, { grpc: frontend + offsets[service], membership: frontend - 300 + offsets[service] }]),
  ) as Record<TemporalService, { grpc: number; membership: number }>;
  return { ...ports, frontendHttp: frontend + 10 };
}

/** Free ports for a throwaway server (tests, chaos, bench): below the kernel's ephemeral range, so membership ports fit a smallint. */
export async function freeTemporalServerPorts(frontend: number): Promise<TemporalServerPorts> {
  const taken = new Set<number>([frontend]);
  const pick = () => freePortIn(20_000, MAX_MEMBERSHIP_PORT, taken);
  const ports = {} as Record<TemporalService, { grpc: number; membership: number }>;
  for (const service of TEMPORAL_SERVICES)
    ports[service] = { grpc: service === 'frontend' ? frontend : await pick(), membership: await pick() };
  return { ...ports, frontendHttp: await pick() };
}

/** A frontend port whose official layout (temporalServerPortsAround) is free as a whole: for `npm start` runs in tests. */
export async function freeTemporalFrontendPort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const frontend = await freePortIn(20_300, MAX_MEMBERSHIP_PORT + 300 - 6);
    const { frontendHttp, ...services } = temporalServerPortsAround(frontend);
    const all = [frontendHttp, ...Object.values(services).flatMap(({ grpc, membership }) => [grpc, membership])];
    if ((await Promise.all(all.map((port) => isPortFree(port)))).every(Boolean)) return frontend;
  }
  throw new Error('no free port layout for a Temporal server');
}

export interface TemporalServerOptions {
  root: string;
  dataDir: string;
  ports: TemporalServerPorts;
  /** The Web UI server's port; undefined runs no UI. */
  uiPort?: number;
  postgres: {
    port: number;
    /** Bootstrap connection (creates the databases). */
    superuserUrl: string;
    /** The role that owns Temporal's databases and that the server connects as. */
    user: string;
    password: string;
  };
  /** mTLS on the frontend with certificates made in <dataDir>/tls. */
  tls: boolean;
  /** Of the namespace, when this start creates it (DEFAULT_RETENTION otherwise). */
  retention?: string;
  logsDir: string;
}

const DATABASES = { temporal: 'temporal', visibility: 'temporal_visibility' } as const;
const execFileAsync = promisify(execFile);

function toolPath(root: string, name: string): string {
  const binary = path.join(root, '.tools', 'bin', name);
  if (!fs.existsSync(binary)) {
    throw new Error(
      `${name} not found at ${binary}: run \`bash scripts/provision/temporal-server.sh\` (it builds the Temporal server with go install)`,
    );
  }
  return binary;
}

/** Databases owned by the server's role, made by the superuser (the role itself may not create databases). */
async function ensureTemporalDatabases(options: TemporalServerOptions): Promise<void> {
  const { superuserUrl, user } = options.postgres;
  await withClient(superuserUrl, async (client) => {
    for (const name of Object.values(DATABASES)) {
      const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      const database = client.escapeIdentifier(name);
      const owner = client.escapeIdentifier(user);
      await client.query(rowCount ? `ALTER DATABASE ${database} OWNER TO ${owner}` : `CREATE DATABASE ${database} OWNER ${owner}`);
      await client.query(`REVOKE ALL ON DATABASE ${database} FROM PUBLIC`);
    }
  });
  for (const name of Object.values(DATABASES)) {
    const url = new URL(superuserUrl);
    url.pathname = `/${name}`;
    await withClient(url.toString(), (client) => client.query(`ALTER SCHEMA public OWNER TO ${client.escapeIdentifier(user)}`));
  }
}

/**
 * The schema, with Temporal's own sql tool: set up once (version 0.0 creates the version table),
 * then upgraded to the newest versioned step shipped with the pinned server. Idempotent.
 */
async function ensureSchema(options: TemporalServerOptions): Promise<void> {
  const { port, user, password } = options.postgres;
  const schemaRoot = path.join(options.root, '.tools', 'temporal-schema', TEMPORAL_SERVER_VERSION, 'postgresql', 'v12');
  if (!fs.existsSync(schemaRoot))
    throw new Error(`Temporal schema not found at ${schemaRoot}: run \`bash scripts/provision/temporal-server.sh\``);
  const sqlTool = toolPath(options.root, 'temporal-sql-tool');
  const schemas: [string, string][] = [
    [DATABASES.temporal, path.join(schemaRoot, 'temporal', 'versioned')],
    [DATABASES.visibility, path.join(schemaRoot, 'visibility', 'versioned')],
  ];
  for (const [database, versionedDir] of schemas) {
    // The password goes through the environment, never the command line.
    const env = {
      ...process.env,
      SQL_PLUGIN: 'postgres12',
      SQL_HOST: '127.0.0.1',
      SQL_PORT: String(port),
      SQL_USER: user,
      SQL_PASSWORD: password,
      SQL_DATABASE: database,
    };
    const url = `postgresql://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
    const hasVersionTable = await withClient(url, async (client) => {
      const { rows } = await client.query<{ table: string | null }>(`SELECT to_regclass('public.schema_version')::text AS table`);
      return rows[0]?.table !== null;
    });
    try {
      if (!hasVersionTable) await execFileAsync(sqlTool, ['setup-schema', '-v', '0.0'], { env });
      await execFileAsync(sqlTool, ['update-schema', '-d', versionedDir], { env });
    } catch (err) {
      const { stderr, stdout } = err as { stderr?: string; stdout?: string };
      throw new Error(`temporal-sql-tool on ${database} failed:\n${stderr || stdout || (err as Error).message}`, { cause: err });
    }
  }
}

function serverEnv(options: TemporalServerOptions, certificates: TemporalCertificates | undefined): Record<string, string> {
  const { ports } = options;
  const env: Record<string, string> = {
    VALERIX_TEMPORAL_POSTGRES_ADDRESS: `127.0.0.1:${options.postgres.port}`,
    VALERIX_TEMPORAL_POSTGRES_USER: options.postgres.user,
    VALERIX_TEMPORAL_POSTGRES_PASSWORD: options.postgres.password,
    VALERIX_TEMPORAL_DYNAMIC_CONFIG_FILE: path.join(options.root, 'infra', 'temporal-config', 'dynamic-config.yaml'),
    VALERIX_TEMPORAL_FRONTEND_HTTP_PORT: String(ports.frontendHttp),
  };
  for (const service of TEMPORAL_SERVICES) {
    env[`VALERIX_TEMPORAL_${service.toUpperCase()}_PORT`] = String(ports[service].grpc);
    env[`VALERIX_TEMPORAL_${service.toUpperCase()}_MEMBERSHIP_PORT`] = String(ports[service].membership);
  }
  if (certificates) {
    Object.assign(env, {
      VALERIX_TEMPORAL_TLS_CA_FILE: certificates.caFile,
      VALERIX_TEMPORAL_TLS_SERVER_CERT_FILE: certificates.serverCertFile,
      VALERIX_TEMPORAL_TLS_SERVER_KEY_FILE: certificates.serverKeyFile,
      VALERIX_TEMPORAL_TLS_CLIENT_CERT_FILE: certificates.clientCertFile,
      VALERIX_TEMPORAL_TLS_CLIENT_KEY_FILE: certificates.clientKeyFile,
      VALERIX_TEMPORAL_TLS_SERVER_NAME: certificates.serverName,
    });
  }
  return env;
}

/** The namespace with an explicit retention, and the search attributes the saga upserts. Idempotent. */
async function ensureNamespace(connection: Connection, retention: string): Promise<void> {
  const namespace = TEMPORAL_NAMESPACE;
  try {
    await connection.workflowService.describeNamespace({ namespace });
  } catch (err) {
    if ((err as { code?: number }).code !== 5) throw err; // gRPC NOT_FOUND
    await connection.workflowService.registerNamespace({
      namespace,
      description: 'Valerix orders',
      workflowExecutionRetentionPeriod: msToTs(parseRetention(retention)),
    });
  }
  // A new namespace reaches each service's cache within its refresh interval (10 s); until then
  // the operator API answers NOT_FOUND for it.
  await waitFor(
    'temporal search attributes',
    async () => {
      const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
      const missing = Object.entries(SEARCH_ATTRIBUTES).filter(([name]) => !customAttributes?.[name]);
      if (missing.length === 0) return;
      const { IndexedValueType } = proto.temporal.api.enums.v1;
      await connection.operatorService.addSearchAttributes({
        namespace,
        searchAttributes: Object.fromEntries(
          missing.map(([name, type]) => [
            name,
            IndexedValueType[`INDEXED_VALUE_TYPE_${type.toUpperCase()}` as keyof typeof IndexedValueType],
          ]),
        ),
      });
    },
    { timeoutMs: 30_000, intervalMs: 500 },
  );
}

function tcpProbe(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1' }, () => {
      socket.destroy();
      resolve();
    });
    socket.once('error', reject);
  });
}

async function waitForOrExit<T>(exit: Promise<never>, ...args: Parameters<typeof waitFor<T>>): Promise<T> {
  return Promise.race([waitFor(...args), exit]);
}

/** The settings a client of this server needs (the stack's services get them as TEMPORAL_* variables). */
function clientSettingsFor(port: number, certificates: TemporalCertificates | undefined): TemporalConnectionSettings {
  return {
    address: `127.0.0.1:${port}`,
    namespace: TEMPORAL_NAMESPACE,
    ...(certificates
      ? {
          tls: {
            caFile: certificates.caFile,
            certFile: certificates.clientCertFile,
            keyFile: certificates.clientKeyFile,
            serverName: certificates.serverName,
          },
        }
      : {}),
  };
}

/**
 * A real Temporal server (the production binary, not the dev server): frontend, history,
 * matching and worker as four processes on the stack's Postgres, from the committed
 * configuration in infra/temporal-config/, and the Web UI server pointed at the frontend.
 */
export async function startTemporalServer(options: TemporalServerOptions): Promise<RunningTemporal> {
  const server = toolPath(options.root, 'temporal-server');
  const uiServer = options.uiPort === undefined ? undefined : toolPath(options.root, 'temporal-ui-server');
  const { ports } = options;
  for (const service of TEMPORAL_SERVICES) {
    await assertPortFree(ports[service].grpc, `Temporal ${service}`);
    await assertPortFree(ports[service].membership, `Temporal ${service} membership`);
  }
  await ensureTemporalDatabases(options);
  await ensureSchema(options);
  const certificates = options.tls ? ensureTemporalCertificates(path.join(options.dataDir, 'tls')) : undefined;
  const env = serverEnv(options, certificates);
  const processes: ManagedProcess[] = [];
  const stopAll = async () => {
    await Promise.all([...processes].reverse().map((child) => child.stop(15_000)));
  };
  // A service that dies at start (bad config, taken port) ends the wait at once, with its log.
  let rejectOnExit: (err: Error) => void = () => undefined;
  const firstExit = new Promise<never>((_, reject) => (rejectOnExit = reject));
  firstExit.catch(() => undefined);
  try {
    // One at a time: services starting together on a fresh database race to write the cluster's metadata.
    for (const service of TEMPORAL_SERVICES) {
      const child = new ManagedProcess({
        name: `temporal-${service}`,
        command: server,
        args: [
          '--root',
          options.root,
          '--config',
          'infra/temporal-config/server',
          '--env',
          'valerix',
          '--allow-no-auth',
          'start',
          '--service',
          service,
        ],
        env,
        logFile: path.join(options.logsDir, `temporal-${service}.log`),
      }).start();
      processes.push(child);
      child.onExit((code) => rejectOnExit(new Error(`${child.name} exited (code ${code}):\n${child.tailLog(3).slice(-2000)}`)));
      // The membership port opens once the service has joined the cluster (the worker service serves no other).
      await waitForOrExit(firstExit, child.name, () => tcpProbe(ports[service].membership), { timeoutMs: 60_000, intervalMs: 200 });
    }
  } catch (err) {
    await stopAll();
    throw err;
  }
  const settings = clientSettingsFor(ports.frontend.grpc, certificates);
  try {
    const connection = await waitForOrExit(
      firstExit,
      'temporal frontend',
      async () => {
        const candidate = await Connection.connect({ ...temporalConnectOptions(settings), connectTimeout: 1000 });
        try {
          await candidate.workflowService.getSystemInfo({});
          return candidate;
        } catch (err) {
          await candidate.close();
          throw err;
        }
      },
      { timeoutMs: 90_000, intervalMs: 500 },
    );
    try {
      await Promise.race([ensureNamespace(connection, options.retention ?? DEFAULT_RETENTION), firstExit]);
    } finally {
      await connection.close();
    }
    let uiUrl: string | undefined;
    if (uiServer && options.uiPort !== undefined) {
      const ui = new ManagedProcess({
        name: 'temporal-ui',
        command: uiServer,
        args: ['--root', options.root, '--config', 'infra/temporal-config/ui', '--env', 'valerix', 'start'],
        env: {
          ...env,
          VALERIX_TEMPORAL_UI_TARGET: settings.address,
          VALERIX_TEMPORAL_UI_PORT: String(options.uiPort),
          VALERIX_TEMPORAL_UI_NAMESPACE: TEMPORAL_NAMESPACE,
        },
        logFile: path.join(options.logsDir, 'temporal-ui.log'),
      }).start();
      processes.push(ui);
      uiUrl = `http://127.0.0.1:${options.uiPort}`;
      const url = uiUrl;
      await waitFor('temporal web ui', async () => {
        if (!ui.running) throw new Error(`temporal-ui exited:\n${ui.tailLog()}`);
        const response = await fetch(url);
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
      });
    }
    return { processes, address: settings.address, clientSettings: settings, certificates, uiUrl, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
