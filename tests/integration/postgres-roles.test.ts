import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { MIGRATION_DIRS, applyMigrations } from '../../infra/migrate';
import {
  PG_ROLES,
  ensureDatabases,
  findPgBinDir,
  postgresServerIdentity,
  postgresUrl,
  startPostgres,
  withClient,
  type PgRole,
  type PostgresAccess,
} from '../../infra/postgres';
import { freePort, waitFor } from '../../infra/ports';
import { ManagedProcess } from '../../infra/process';

const infra = inject('infra');
const url = (role: PgRole, database: string, access: PostgresAccess = infra.postgres) => postgresUrl(access, role, database);
/** A table of each database, to try DDL on. */
const TABLES = { orders: 'orders', inventory: 'items' } as const;
const DATABASES = Object.keys(TABLES) as (keyof typeof TABLES)[];

/** The server's first answer to a startup packet: the authentication it asks for (0: none, 10: SASL, with its mechanisms). */
function authenticationRequest(port: number, user: string, database: string): Promise<{ code: number; mechanisms: string[] }> {
  return new Promise((resolve, reject) => {
    const parameters = Buffer.from(`user\0${user}\0database\0${database}\0\0`);
    const header = Buffer.alloc(8);
    header.writeInt32BE(8 + parameters.length, 0);
    header.writeInt32BE(3 << 16, 4); // protocol 3.0
    const socket = net.connect({ host: '127.0.0.1', port }, () => socket.write(Buffer.concat([header, parameters])));
    let data = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      data = Buffer.concat([data, chunk]);
      if (data.length < 5 || data.length < 1 + data.readInt32BE(1)) return;
      socket.destroy();
      if (data[0] !== 'R'.charCodeAt(0)) return reject(new Error(`not an authentication request: ${data.toString('latin1')}`));
      const mechanisms = data
        .subarray(9, 1 + data.readInt32BE(1))
        .toString()
        .split('\0')
        .filter(Boolean);
      resolve({ code: data.readInt32BE(5), mechanisms });
    });
    socket.on('error', reject);
  });
}

const REFUSED = { code: '42501' }; // insufficient_privilege
const BAD_PASSWORD = { code: '28P01' }; // invalid_password

describe('Postgres: password auth on TCP', () => {
  it('asks every role for a SCRAM-SHA-256 password, and refuses a wrong one or none', async () => {
    for (const user of [...Object.values(PG_ROLES), 'valerix']) {
      expect(await authenticationRequest(infra.postgres.port, user, 'orders')).toEqual({ code: 10, mechanisms: ['SCRAM-SHA-256'] });
    }
    for (const role of Object.keys(PG_ROLES) as PgRole[]) {
      const wrong = url(role, 'orders').replace(encodeURIComponent(infra.postgres.passwords[role]), 'wrong-password');
      await expect(withClient(wrong)).rejects.toMatchObject(BAD_PASSWORD);
    }
    await expect(withClient({ host: '127.0.0.1', port: infra.postgres.port, user: PG_ROLES.app, database: 'orders' })).rejects.toThrow(
      /password/,
    );
    // Each password opens its own role only.
    await expect(withClient(url('app', 'orders').replace(`${PG_ROLES.app}:`, `${PG_ROLES.owner}:`))).rejects.toMatchObject(BAD_PASSWORD);
  });

  it('admits only the superuser on the private socket', async () => {
    const socket = { host: path.join(infra.dataDir, 'postgres', 'socket'), port: infra.postgres.port, database: 'orders' };
    expect(
      await withClient(
        { ...socket, user: PG_ROLES.superuser },
        async (client) => (await client.query('SELECT current_user')).rows[0].current_user,
      ),
    ).toBe(PG_ROLES.superuser);
    for (const user of [PG_ROLES.owner, PG_ROLES.app]) {
      await expect(withClient({ ...socket, user })).rejects.toMatchObject({ code: '28000' }); // no pg_hba.conf entry
    }
  });
});

describe('Postgres: least-privilege roles', () => {
  it.each(DATABASES)('the app role can neither change the schema of %s nor become its owner', async (database) => {
    const table = TABLES[database];
    await withClient(url('app', database), async (client) => {
      for (const ddl of [
        'CREATE TABLE intruder (id int)',
        'CREATE TEMP TABLE intruder (id int)',
        'CREATE SCHEMA intruder',
        `ALTER TABLE ${table} ADD COLUMN intruder int`,
        `DROP TABLE ${table}`,
        `TRUNCATE ${table}`,
        `SET ROLE ${PG_ROLES.owner}`,
        `SET ROLE ${PG_ROLES.superuser}`,
      ]) {
        await expect(client.query(ddl), ddl).rejects.toMatchObject(REFUSED);
      }
      const { rows } = await client.query(
        `SELECT count(*)::int AS owned FROM pg_class WHERE relowner = current_user::regrole
         UNION ALL SELECT count(*)::int FROM pg_database WHERE datdba = current_user::regrole`,
      );
      expect(rows).toEqual([{ owned: 0 }, { owned: 0 }]);
    });
  });

  it('the owner owns both databases, their schema and every table; PUBLIC may not connect or create', async () => {
    for (const database of DATABASES) {
      await withClient(url('superuser', database), async (client) => {
        const { rows } = await client.query(
          `SELECT
             (SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()) AS database_owner,
             (SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = 'public') AS schema_owner,
             (SELECT array_agg(DISTINCT tableowner::text) FROM pg_tables WHERE schemaname = 'public') AS table_owners,
             (SELECT count(*)::int FROM _prisma_migrations) > 0 AS migrated,
             has_database_privilege('public', current_database(), 'CONNECT, TEMPORARY') AS public_connect,
             has_schema_privilege('public', 'public', 'CREATE') AS public_create,
             has_schema_privilege($1, 'public', 'CREATE') AS app_create,
             pg_has_role($1, $2, 'MEMBER') AS app_member_of_owner`,
          [PG_ROLES.app, PG_ROLES.owner],
        );
        expect(rows[0]).toEqual({
          database_owner: PG_ROLES.owner,
          schema_owner: PG_ROLES.owner,
          table_owners: [PG_ROLES.owner],
          migrated: true,
          public_connect: false,
          public_create: false,
          app_create: false,
          app_member_of_owner: false,
        });
      });
    }
    const { rows } = await withClient(url('superuser', 'postgres'), (client) =>
      client.query(
        'SELECT rolname, rolsuper, rolcreatedb, rolcreaterole, rolbypassrls FROM pg_roles WHERE rolname = ANY($1) ORDER BY rolname',
        [[PG_ROLES.owner, PG_ROLES.app]],
      ),
    );
    expect(rows).toEqual(
      [PG_ROLES.app, PG_ROLES.owner].map((rolname) => ({
        rolname,
        rolsuper: false,
        rolcreatedb: false,
        rolcreaterole: false,
        rolbypassrls: false,
      })),
    );
  });

  it('the app role reads and writes rows, sequences included', async () => {
    const itemId = `roles-test-${Date.now()}`;
    await withClient(url('app', 'inventory'), async (client) => {
      await client.query('BEGIN');
      await client.query(`INSERT INTO items (item_id, name, stock, initial_stock) VALUES ($1, 'Roles test', 5, 5)`, [itemId]);
      const { rows } = await client.query(`INSERT INTO stock_movements (item_id, delta, kind) VALUES ($1, 5, 'initial') RETURNING id`, [
        itemId,
      ]);
      await client.query('UPDATE items SET stock = 4 WHERE item_id = $1', [itemId]);
      await client.query('DELETE FROM stock_movements WHERE id = $1', [rows[0].id]);
      expect((await client.query('SELECT stock FROM items WHERE item_id = $1', [itemId])).rows).toEqual([{ stock: 4 }]);
      await client.query('ROLLBACK');
    });
    await withClient(url('app', 'orders'), async (client) => {
      await client.query('BEGIN');
      await client.query(`INSERT INTO orders (id, status, version, created_at, updated_at) VALUES ($1, 'PENDING', 1, now(), now())`, [
        itemId,
      ]);
      await client.query(`UPDATE orders SET status = 'CONFIRMED', version = 2 WHERE id = $1`, [itemId]);
      expect((await client.query('SELECT status FROM orders WHERE id = $1', [itemId])).rows).toEqual([{ status: 'CONFIRMED' }]);
      await client.query('DELETE FROM orders WHERE id = $1', [itemId]);
      await client.query('ROLLBACK');
    });
  });
});

/** A cluster as infra/postgres.ts made them before password auth: superuser `valerix`, trust on every connection. */
async function startTrustEraCluster(dataDir: string, port: number): Promise<ManagedProcess> {
  const identity = postgresServerIdentity();
  const binDir = findPgBinDir();
  const clusterDir = path.join(dataDir, 'cluster');
  const socketDir = path.join(dataDir, 'socket');
  fs.mkdirSync(clusterDir, { recursive: true, mode: 0o700 });
  fs.mkdirSync(socketDir, { recursive: true });
  if (identity.uid !== undefined) execFileSync('chown', ['-R', `${identity.uid}:${identity.gid}`, dataDir]);
  execFileSync(path.join(binDir, 'initdb'), ['-D', clusterDir, '-U', 'valerix', '--auth=trust', '--encoding=UTF8', '--locale=C.UTF-8'], {
    ...identity,
    stdio: 'pipe',
  });
  const server = new ManagedProcess({
    name: 'postgres-trust-era',
    command: path.join(binDir, 'postgres'),
    args: ['-D', clusterDir, '-p', String(port), '-k', socketDir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off'],
    logFile: path.join(dataDir, 'trust-era.log'),
    stopSignal: 'SIGINT',
    ...identity,
  }).start();
  await waitFor('trust-era postgres', () => withClient(`postgresql://valerix@127.0.0.1:${port}/postgres`), { timeoutMs: 30_000 });
  return server;
}

describe('Postgres: a trust-era cluster (.data/ from before password auth)', () => {
  it('is converted at start, keeping its data; a second start finds it converted', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'valerix-trust-era-'));
    fs.chmodSync(root, 0o755); // the postgres user must reach its data folder inside
    const dataDir = path.join(root, 'postgres');
    const access: PostgresAccess = {
      port: await freePort(),
      passwords: { superuser: 'super-secret-1', owner: 'owner-secret-2', app: 'app-secret-3', temporal: 'temporal-secret-4' },
    };
    const inventoryDir = path.join(infra.root, MIGRATION_DIRS.inventory);
    const trustUrl = `postgresql://valerix@127.0.0.1:${access.port}/inventory`;
    try {
      // What the old code did: the databases and their tables belong to `valerix`.
      const old = await startTrustEraCluster(dataDir, access.port);
      await withClient(`postgresql://valerix@127.0.0.1:${access.port}/postgres`, (client) => client.query('CREATE DATABASE inventory'));
      await applyMigrations(trustUrl, inventoryDir);
      await withClient(trustUrl, async (client) => {
        await client.query(`INSERT INTO items (item_id, name, stock, initial_stock) VALUES ('old', 'Old item', 3, 3)`);
        await client.query(`INSERT INTO stock_movements (item_id, delta, kind) VALUES ('old', 3, 'initial')`);
      });
      await old.stop();

      // The second start finds it converted, and sets a changed password (secrets.json is the source).
      const starts = [access, { ...access, passwords: { ...access.passwords, app: 'app-secret-rotated' } }];
      for (const [index, current] of starts.entries()) {
        const postgres = await startPostgres({
          dataDir,
          port: current.port,
          logFile: path.join(root, 'postgres.log'),
          durable: false,
          passwords: current.passwords,
        });
        try {
          await ensureDatabases(url('superuser', 'postgres', current), ['inventory']);
          expect(await applyMigrations(url('owner', 'inventory', current), inventoryDir)).toEqual([]);
          await expect(withClient(trustUrl)).rejects.toThrow();
          expect(await authenticationRequest(current.port, 'valerix', 'inventory')).toEqual({ code: 10, mechanisms: ['SCRAM-SHA-256'] });
          if (index > 0) await expect(withClient(url('app', 'inventory', starts[0]))).rejects.toMatchObject(BAD_PASSWORD);
          await withClient(url('app', 'inventory', current), async (client) => {
            await client.query(`INSERT INTO stock_movements (item_id, delta, kind) VALUES ('old', -1, 'reserve')`);
            const { rows } = await client.query(`UPDATE items SET stock = stock - 1 WHERE item_id = 'old' RETURNING stock`);
            expect(rows).toEqual([{ stock: 2 - index }]);
            await expect(client.query('DROP TABLE items')).rejects.toMatchObject(REFUSED);
          });
          const { rows } = await withClient(url('superuser', 'inventory', current), (client) =>
            client.query(`SELECT DISTINCT pg_get_userbyid(relowner) AS owner FROM pg_class WHERE relnamespace = 'public'::regnamespace`),
          );
          expect(rows).toEqual([{ owner: PG_ROLES.owner }]);
        } finally {
          await postgres.stop();
        }
      }
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
