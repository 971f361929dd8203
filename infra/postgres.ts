import { execFileSync } from 'node:child_process';
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { ManagedProcess } from './process';
import { waitFor } from './ports';

/**
 * The cluster's roles. The superuser only bootstraps (roles, databases, grants); the owner owns
 * the databases and runs the migrations; the services connect as the app role, which can read
 * and write rows and nothing else. The real Temporal server (`--temporal server`) owns and uses
 * its own two databases as `temporal`.
 */
export const PG_ROLES = { superuser: 'postgres', owner: 'valerix_owner', app: 'valerix_app', temporal: 'temporal' } as const;
export type PgRole = keyof typeof PG_ROLES;
export type PostgresPasswords = Record<PgRole, string>;

/** The superuser of clusters made before password auth (`initdb -U valerix --auth=trust`). */
const TRUST_ERA_SUPERUSER = 'valerix';

/** What a client needs to reach the cluster over TCP as any of its roles (plain data, so tests can be handed it). */
export interface PostgresAccess {
  port: number;
  passwords: PostgresPasswords;
}

export function postgresUrl(access: PostgresAccess, role: PgRole, database: string): string {
  return `postgresql://${PG_ROLES[role]}:${encodeURIComponent(access.passwords[role])}@127.0.0.1:${access.port}/${database}`;
}

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
export function postgresServerIdentity(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

/**
 * A SCRAM-SHA-256 verifier made here, as psql's \password does: the server stores it as is, so
 * the password itself never reaches the server, nor its log.
 */
function scramVerifier(password: string): string {
  const iterations = 4096;
  const salt = randomBytes(16);
  // node-postgres and libpq normalise with SASLprep; for what a password holds in practice that is NFKC.
  const salted = pbkdf2Sync(password.normalize('NFKC'), salt, iterations, 32, 'sha256');
  const hmac = (text: string) => createHmac('sha256', salted).update(text).digest();
  const storedKey = createHash('sha256').update(hmac('Client Key')).digest('base64');
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey}:${hmac('Server Key').toString('base64')}`;
}

/**
 * TCP (loopback only) always asks for a SCRAM password. The socket admits only the superuser,
 * by peer credentials, to the OS user running the stack and the server's own (root and
 * `postgres` when run as root): its directory is 0700 inside the data folder, so whoever reaches
 * it can read the cluster's files anyway. The stack bootstraps through it, which keeps
 * secrets.json (or .env) the source of the passwords: a changed or lost one is set again at the
 * next start.
 */
function writeAuthConfig(clusterDir: string, serverIsPostgresUser: boolean): void {
  const osUsers = new Set([os.userInfo().username, ...(serverIsPostgresUser ? ['postgres'] : [])]);
  fs.writeFileSync(
    path.join(clusterDir, 'pg_hba.conf'),
    [
      '# Written by infra/postgres.ts at every start: edit it there.',
      `local all ${PG_ROLES.superuser} peer map=bootstrap`,
      'host all all 127.0.0.1/32 scram-sha-256',
      '',
    ].join('\n'),
  );
  fs.writeFileSync(
    path.join(clusterDir, 'pg_ident.conf'),
    [...osUsers].map((user) => `bootstrap ${user} ${PG_ROLES.superuser}\n`).join(''),
  );
}

/** Connects, runs `work`, disconnects; a refusal rejects with Postgres' SQLSTATE in `code`. */
export async function withClient<T>(
  config: string | pg.ClientConfig,
  work: (client: pg.Client) => Promise<T> = async () => undefined as T,
): Promise<T> {
  const client = new pg.Client(config);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Every role exists with its attributes and the password it has in the secrets; the trust-era superuser may no longer log in. */
async function syncRoles(client: pg.Client, passwords: PostgresPasswords): Promise<void> {
  for (const role of Object.keys(PG_ROLES) as PgRole[]) {
    const name = PG_ROLES[role];
    const attributes = role === 'superuser' ? 'SUPERUSER' : 'NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS';
    const { rowCount } = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [name]);
    const verifier = client.escapeLiteral(scramVerifier(passwords[role]));
    await client.query(`${rowCount ? 'ALTER' : 'CREATE'} ROLE ${name} WITH LOGIN ${attributes} PASSWORD ${verifier}`);
  }
  const { rowCount } = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1 AND rolcanlogin', [TRUST_ERA_SUPERUSER]);
  // Postgres cannot drop its bootstrap superuser; it stays, unable to log in.
  if (rowCount) await client.query(`ALTER ROLE ${TRUST_ERA_SUPERUSER} NOLOGIN`);
}

export interface PostgresOptions {
  dataDir: string;
  port: number;
  logFile: string;
  /** Throwaway clusters for tests skip fsync: durability there buys nothing. */
  durable: boolean;
  passwords: PostgresPasswords;
}

export interface RunningPostgres extends PostgresAccess {
  process: ManagedProcess;
  /** A TCP URL with the role's password: services get `app`, migrations `owner`, bootstrap `superuser`. */
  url(role: PgRole, database: string): string;
  stop(): Promise<void>;
}

export async function startPostgres(options: PostgresOptions): Promise<RunningPostgres> {
  const binDir = findPgBinDir();
  const identity = postgresServerIdentity();
  const socketDir = path.join(options.dataDir, 'socket');
  const clusterDir = path.join(options.dataDir, 'cluster');
  fs.mkdirSync(socketDir, { recursive: true, mode: 0o700 });
  const chownTree = (dir: string) => {
    if (identity.uid !== undefined) execFileSync('chown', ['-R', `${identity.uid}:${identity.gid}`, dir]);
  };
  const fresh = !fs.existsSync(path.join(clusterDir, 'PG_VERSION'));
  if (fresh) {
    fs.mkdirSync(clusterDir, { recursive: true, mode: 0o700 });
    chownTree(options.dataDir);
    // `reject` until writeAuthConfig below replaces it.
    execFileSync(
      path.join(binDir, 'initdb'),
      ['-D', clusterDir, '-U', PG_ROLES.superuser, '--auth=reject', '--encoding=UTF8', '--locale=C.UTF-8'],
      { ...identity, stdio: 'pipe' },
    );
  }
  // A cluster from before password auth trusts every TCP connection: it is converted below.
  const trustEra = !fresh && /^host\S*\s.*\btrust\b/m.test(fs.readFileSync(path.join(clusterDir, 'pg_hba.conf'), 'utf8'));
  if (!trustEra) writeAuthConfig(clusterDir, identity.uid !== undefined);
  chownTree(socketDir);
  fs.chmodSync(socketDir, 0o700);
  const tuning = options.durable
    ? ['-c', 'synchronous_commit=on']
    : ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'];
  const server = new ManagedProcess({
    name: 'postgres',
    command: path.join(binDir, 'postgres'),
    args: [
      '-D',
      clusterDir,
      '-p',
      String(options.port),
      '-k',
      socketDir,
      '-c',
      'unix_socket_permissions=0700',
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'password_encryption=scram-sha-256',
      '-c',
      'max_connections=200',
      ...tuning,
    ],
    logFile: options.logFile,
    // SIGINT is Postgres' "fast shutdown": roll back open transactions, checkpoint, exit.
    stopSignal: 'SIGINT',
    ...identity,
  }).start();

  const connectWhenUp = <T>(config: pg.ClientConfig, work: (client: pg.Client) => Promise<T>) =>
    waitFor(
      'postgres',
      async () => {
        if (!server.running) throw new Error(`postgres exited:\n${server.tailLog()}`);
        return withClient(config, work);
      },
      { timeoutMs: 30_000 },
    );
  try {
    if (trustEra) {
      await connectWhenUp({ host: '127.0.0.1', port: options.port, user: TRUST_ERA_SUPERUSER, database: 'postgres' }, async (client) => {
        const { rowCount } = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [PG_ROLES.superuser]);
        if (!rowCount) await client.query(`CREATE ROLE ${PG_ROLES.superuser} WITH LOGIN SUPERUSER`);
        writeAuthConfig(clusterDir, identity.uid !== undefined);
        await client.query('SELECT pg_reload_conf()');
      });
    }
    // The reload above is asynchronous: the socket admits the superuser once it has landed.
    await connectWhenUp({ host: socketDir, port: options.port, user: PG_ROLES.superuser, database: 'postgres' }, (client) =>
      syncRoles(client, options.passwords),
    );
  } catch (err) {
    await server.stop(30_000);
    throw err;
  }
  const access: PostgresAccess = { port: options.port, passwords: options.passwords };
  return {
    ...access,
    process: server,
    url: (role, database) => postgresUrl(access, role, database),
    stop: () => server.stop(30_000),
  };
}

const RELATION_KINDS: Record<string, string> = { r: 'TABLE', p: 'TABLE', v: 'VIEW', m: 'MATERIALIZED VIEW', S: 'SEQUENCE' };
const APP_TABLE_PRIVILEGES = 'SELECT, INSERT, UPDATE, DELETE';
const APP_SEQUENCE_PRIVILEGES = 'USAGE, SELECT';

/**
 * Makes the databases (as the superuser, `adminUrl`) and their privileges: the owner role owns
 * each database and its schema; the app role may connect and read and write rows; PUBLIC may do
 * neither. Tables that later migrations create get the app role's grants by default privileges.
 * Idempotent; it also takes over a trust-era database and whatever its old superuser owned there.
 */
export async function ensureDatabases(adminUrl: string, databases: string[]): Promise<void> {
  const { owner, app } = PG_ROLES;
  await withClient(adminUrl, async (client) => {
    for (const name of databases) {
      const database = client.escapeIdentifier(name);
      const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      await client.query(rowCount ? `ALTER DATABASE ${database} OWNER TO ${owner}` : `CREATE DATABASE ${database} OWNER ${owner}`);
      await client.query(`REVOKE ALL ON DATABASE ${database} FROM PUBLIC`);
      await client.query(`GRANT CONNECT ON DATABASE ${database} TO ${app}`);
    }
  });
  for (const name of databases) {
    const url = new URL(adminUrl);
    url.pathname = `/${encodeURIComponent(name)}`;
    await withClient(url.toString(), async (client) => {
      await client.query(`ALTER SCHEMA public OWNER TO ${owner}`);
      await client.query('REVOKE ALL ON SCHEMA public FROM PUBLIC');
      await client.query(`GRANT USAGE ON SCHEMA public TO ${app}`);
      await client.query(`ALTER DEFAULT PRIVILEGES FOR ROLE ${owner} IN SCHEMA public GRANT ${APP_TABLE_PRIVILEGES} ON TABLES TO ${app}`);
      await client.query(
        `ALTER DEFAULT PRIVILEGES FOR ROLE ${owner} IN SCHEMA public GRANT ${APP_SEQUENCE_PRIVILEGES} ON SEQUENCES TO ${app}`,
      );
      // Anything in public not the owner's was made before the roles: hand it over with the
      // grants default privileges would have given. A sequence a table owns moves with its table.
      const { rows } = await client.query<{ name: string; kind: string; ownedByTable: boolean }>(
        `SELECT c.oid::regclass::text AS name, c.relkind AS kind, EXISTS (
           SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
             AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')) AS "ownedByTable"
         FROM pg_class c
         WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'S') AND c.relowner <> $1::regrole`,
        [owner],
      );
      for (const { name: relation, kind, ownedByTable } of rows) {
        if (!ownedByTable) await client.query(`ALTER ${RELATION_KINDS[kind]} ${relation} OWNER TO ${owner}`);
        const privileges = kind === 'S' ? `${APP_SEQUENCE_PRIVILEGES} ON SEQUENCE` : `${APP_TABLE_PRIVILEGES} ON TABLE`;
        await client.query(`GRANT ${privileges} ${relation} TO ${app}`);
      }
    });
  }
}
