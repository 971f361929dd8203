import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { MIGRATION_DIRS, applyMigrations } from '../../infra/migrate';
import { ensureDatabases, postgresUrl, type PgRole } from '../../infra/postgres';

const infra = inject('infra');
const adminUrl = postgresUrl(infra.postgres, 'superuser', 'postgres');
const scratchUrl = (name: string, role: PgRole = 'owner') => postgresUrl(infra.postgres, role, name);

const PRISMA_TO_POSTGRES: Record<string, string> = {
  String: 'text',
  Int: 'integer',
  BigInt: 'bigint',
  Boolean: 'boolean',
  DateTime: 'timestamp with time zone',
  Json: 'jsonb',
};

interface Column {
  table: string;
  column: string;
  type: string;
  nullable: boolean;
}

/** The scalar columns schema.prisma declares, with @map/@@map applied. */
function columnsOfSchema(schema: string): Column[] {
  const columns: Column[] = [];
  for (const [, modelName, body] of schema.matchAll(/^model (\w+) \{([\s\S]*?)^\}/gm)) {
    const table = body!.match(/@@map\("([^"]+)"\)/)?.[1] ?? modelName!;
    for (const line of body!.split('\n')) {
      const field = line.trim().match(/^(\w+)\s+(\w+)(\[\])?(\?)?(.*)$/);
      if (!field || field[1]!.startsWith('@')) continue;
      const [, name, type, list, optional, attributes] = field;
      const postgresType = PRISMA_TO_POSTGRES[type!];
      if (!postgresType || list) continue; // relation fields have no column
      columns.push({
        table,
        column: attributes!.match(/@map\("([^"]+)"\)/)?.[1] ?? name!,
        type: postgresType,
        nullable: optional === '?',
      });
    }
  }
  return columns.sort((a, b) => `${a.table}.${a.column}`.localeCompare(`${b.table}.${b.column}`));
}

async function columnsOfDatabase(url: string): Promise<Column[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ table_name: string; column_name: string; data_type: string; is_nullable: string }>(
      `SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns
       WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'`,
    );
    return rows
      .map((row) => ({ table: row.table_name, column: row.column_name, type: row.data_type, nullable: row.is_nullable === 'YES' }))
      .sort((a, b) => `${a.table}.${a.column}`.localeCompare(`${b.table}.${b.column}`));
  } finally {
    await client.end();
  }
}

describe('migrations (applied offline, recorded the way prisma migrate deploy does)', () => {
  const database = `migrations_${Date.now()}`;

  beforeAll(async () => {
    await ensureDatabases(adminUrl, [database]);
  });

  afterAll(async () => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    await client.end();
  });

  it('applies each migration once and records it in _prisma_migrations with its sha256', async () => {
    const dir = path.join(infra.root, MIGRATION_DIRS.orders);
    const first = await applyMigrations(scratchUrl(database), dir);
    expect(first.length).toBeGreaterThan(0);
    expect(await applyMigrations(scratchUrl(database), dir)).toEqual([]);

    const client = new pg.Client({ connectionString: scratchUrl(database) });
    await client.connect();
    const { rows } = await client.query('SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" ORDER BY migration_name');
    await client.end();
    expect(rows.map((row) => row.migration_name)).toEqual(first);
    expect(rows.every((row) => /^[0-9a-f]{64}$/.test(row.checksum) && row.finished_at !== null)).toBe(true);
  });

  it('runs as the database owner: the tables are its own, and the app role can read and write them', async () => {
    const client = new pg.Client({ connectionString: scratchUrl(database, 'superuser') });
    await client.connect();
    // has_table_privilege() is true when any one of the listed privileges is held.
    const { rows } = await client.query<{ table: string; owner: string; dml: boolean; more: boolean }>(
      `SELECT tablename AS table, tableowner AS owner,
         bool_and(has_table_privilege('valerix_app', format('public.%I', tablename), dml)) AS dml,
         has_table_privilege('valerix_app', format('public.%I', tablename), 'TRUNCATE, REFERENCES, TRIGGER') AS more
       FROM pg_tables, unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE']) AS dml
       WHERE schemaname = 'public' GROUP BY tablename, tableowner`,
    );
    await client.end();
    expect(rows.length).toBeGreaterThan(2);
    expect(rows.filter((row) => row.owner !== 'valerix_owner' || !row.dml || row.more)).toEqual([]);
  });

  it('refuses any role but the owner (a superuser would make tables the app role cannot use)', async () => {
    const dir = path.join(infra.root, MIGRATION_DIRS.orders);
    for (const role of ['app', 'superuser'] as const) {
      await expect(applyMigrations(scratchUrl(database, role), dir)).rejects.toThrow(/run as the database's owner valerix_owner/);
    }
  });

  it('refuses to continue when an applied migration was edited afterwards', async () => {
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'valerix-migrations-'));
    fs.cpSync(path.join(infra.root, MIGRATION_DIRS.orders), copy, { recursive: true });
    const [firstMigration] = fs
      .readdirSync(copy)
      .filter((name) => fs.statSync(path.join(copy, name)).isDirectory())
      .sort();
    fs.appendFileSync(path.join(copy, firstMigration!, 'migration.sql'), '\n-- edited\n');
    await expect(applyMigrations(scratchUrl(database), copy)).rejects.toThrow(/edited after it was applied/);
    fs.rmSync(copy, { recursive: true, force: true });
  });

  it('keeps schema.prisma and the SQL migrations in step (tables, columns, types, nullability)', async () => {
    const schema = fs.readFileSync(path.join(infra.root, 'prisma/schema.prisma'), 'utf8');
    const declared = columnsOfSchema(schema);
    expect(declared.length).toBeGreaterThan(10);
    expect(await columnsOfDatabase(infra.ordersDatabaseUrl)).toEqual(declared);
  });
});
