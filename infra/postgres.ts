import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { ManagedProcess } from './process';
import { waitFor } from './ports';

export const PG_USER = 'valerix';

export function findPgBinDir(): string {
  const fromEnv = process.env.PG_BIN_DIR;
  if (fromEnv && fs.existsSync(path.join(fromEnv, 'postgres'))) return fromEnv;
  const base = '/usr/lib/postgresql';
  if (fs.existsSync(base)) {
    const versions = fs
      .readdirSync(base)
      .filter((v) => fs.existsSync(path.join(base, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return path.join(base, versions[0], 'bin');
  }
  try {
    return path.dirname(execFileSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' }).trim());
  } catch {
    throw new Error('Postgres server binaries not found: run `npm run provision` or set PG_BIN_DIR');
  }
}

/** Postgres refuses to run as root; when we are root the server runs as the `postgres` user. */
function serverIdentity(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

export interface PostgresOptions {
  dataDir: string;
  port: number;
  logFile: string;
  /** Throwaway clusters for tests skip fsync: durability there buys nothing. */
  durable: boolean;
}

export interface RunningPostgres {
  process: ManagedProcess;
  port: number;
  url(database: string): string;
  stop(): Promise<void>;
}

export async function startPostgres(options: PostgresOptions): Promise<RunningPostgres> {
  const binDir = findPgBinDir();
  const identity = serverIdentity();
  const socketDir = path.join(options.dataDir, 'socket');
  const clusterDir = path.join(options.dataDir, 'cluster');
  fs.mkdirSync(socketDir, { recursive: true });
  const chownTree = (dir: string) => {
    if (identity.uid !== undefined) execFileSync('chown', ['-R', `${identity.uid}:${identity.gid}`, dir]);
  };
  if (!fs.existsSync(path.join(clusterDir, 'PG_VERSION'))) {
    fs.mkdirSync(clusterDir, { recursive: true, mode: 0o700 });
    chownTree(options.dataDir);
    execFileSync(
      path.join(binDir, 'initdb'),
      ['-D', clusterDir, '-U', PG_USER, '--auth=trust', '--encoding=UTF8', '--locale=C.UTF-8'],
      { ...identity, stdio: 'pipe' },
    );
  }
  chownTree(socketDir);
  const tuning = options.durable
    ? ['-c', 'synchronous_commit=on']
    : ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'];
  const server = new ManagedProcess({
    name: 'postgres',
    command: path.join(binDir, 'postgres'),
    args: [
      '-D', clusterDir,
      '-p', String(options.port),
      '-k', socketDir,
      '-c', 'listen_addresses=127.0.0.1',
      '-c', 'max_connections=200',
      ...tuning,
    ],
    logFile: options.logFile,
    // SIGINT is Postgres' "fast shutdown": roll back open transactions, checkpoint, exit.
    stopSignal: 'SIGINT',
    ...identity,
  }).start();

  const url = (database: string) => `postgresql://${PG_USER}@127.0.0.1:${options.port}/${database}`;
  await waitFor(
    'postgres',
    async () => {
      if (!server.running) throw new Error(`postgres exited:\n${server.tailLog()}`);
      const client = new pg.Client({ connectionString: url('postgres') });
      await client.connect();
      await client.end();
    },
    { timeoutMs: 30_000 },
  );
  return { process: server, port: options.port, url, stop: () => server.stop(30_000) };
}

export async function ensureDatabases(adminUrl: string, databases: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    for (const name of databases) {
      const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (!rowCount) await client.query(`CREATE DATABASE "${name}"`);
    }
  } finally {
    await client.end();
  }
}
