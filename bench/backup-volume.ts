/**
 * `npm run bench:backup [-- --orders N]`: archive size, backup and restore times and the drill's
 * RTO for a database of N orders (default 10,000), on a throwaway Postgres (fsync on) and
 * versitygw. The orders are written by SQL in the shape the saga leaves them (CONFIRMED, 1-2
 * lines, each reserved once in the ledger), which is what a dump's size and speed depend on;
 * placing them through the saga would take minutes and measure the saga instead.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import pino from 'pino';
import { createArchiveStore } from '../backup/archive-store';
import { runBackup } from '../backup/backup';
import { loadBackupConfig } from '../backup/config';
import { createPgTools } from '../backup/pg-tools';
import { runRestoreDrill } from '../backup/restore-drill';
import { applyMigrations, MIGRATION_DIRS } from '../infra/migrate';
import { freePort } from '../infra/ports';
import { ensureDatabases, PG_ROLES, startPostgres, withClient } from '../infra/postgres';
import { startS3Server } from '../infra/s3';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const HELP = `Usage: npm run bench:backup [-- --orders N]

Fills a throwaway Postgres with N orders (default 10000) and their reservations, then runs
npm run backup's code against a local versitygw (scripts/provision/s3-tools.sh) and the restore
drill, and prints the archive size, the backup time, the restore time and the RTO.`;

const lines = (n: number) => `FROM generate_series(1, ${n}) i, generate_series(1, 2) l WHERE l = 1 OR i % 3 = 0`;

async function fill(ordersUrl: string, inventoryUrl: string, orders: number): Promise<void> {
  await withClient(ordersUrl, async (client) => {
    await client.query(`INSERT INTO api_clients (id, name, role, key_hash) VALUES ('bench', 'bench', 'client', md5('bench'))`);
    await client.query(
      `INSERT INTO orders (id, client_id, status, version, created_at, updated_at, completed_at, timeline)
       SELECT 'ord_' || md5('o' || i), 'bench', 'CONFIRMED', 3, now(), now(), now(), jsonb_build_array(
         jsonb_build_object('at', now(), 'step', 'accepted'), jsonb_build_object('at', now(), 'step', 'line 1 reserved'),
         jsonb_build_object('at', now(), 'step', 'CONFIRMED'))
       FROM generate_series(1, ${orders}) i`,
    );
    await client.query(
      `INSERT INTO order_lines (order_id, line_no, item_id, quantity, reservation_id, status, attempts)
       SELECT 'ord_' || md5('o' || i), l, 'item-' || ((i + l) % 20), 1 + i % 3, 'res_' || md5('o' || i) || '_' || l, 'RESERVED', 1 ${lines(orders)}`,
    );
    await client.query(
      `INSERT INTO idempotency_keys (client_id, key, order_id, request_hash)
       SELECT 'bench', 'key-' || i, 'ord_' || md5('o' || i), md5('r' || i) FROM generate_series(1, ${orders}) i`,
    );
  });
  await withClient(inventoryUrl, async (client) => {
    await client.query(
      `INSERT INTO items (item_id, name, stock, initial_stock) SELECT 'item-' || k, 'Item ' || k, 1000000, 1000000 FROM generate_series(0, 19) k`,
    );
    await client.query(
      `INSERT INTO stock_movements (item_id, delta, kind) SELECT item_id, initial_stock, 'initial' FROM items ORDER BY item_id`,
    );
    await client.query(
      `INSERT INTO reservations (reservation_id, item_id, quantity, status)
       SELECT 'res_' || md5('o' || i) || '_' || l, 'item-' || ((i + l) % 20), 1 + i % 3, 'RESERVED' ${lines(orders)}`,
    );
    await client.query(
      `INSERT INTO stock_movements (item_id, delta, kind, reservation_id) SELECT item_id, -quantity, 'reserve', reservation_id FROM reservations ORDER BY reservation_id`,
    );
    await client.query(
      `UPDATE items i SET stock = stock - (SELECT COALESCE(sum(quantity), 0) FROM reservations r WHERE r.item_id = i.item_id)`,
    );
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { orders: { type: 'string', default: '10000' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) return console.log(HELP);
  const orders = Number(values.orders);
  if (!Number.isInteger(orders) || orders < 1) throw new Error(`--orders: a positive whole number, not '${values.orders}'`);

  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'valerix-bench-backup-'));
  fs.chmodSync(dataDir, 0o755); // the postgres user reaches its data folder inside
  const passwords = Object.fromEntries(Object.keys(PG_ROLES).map((role) => [role, randomBytes(12).toString('hex')])) as never;
  const postgres = await startPostgres({
    dataDir: path.join(dataDir, 'pg'),
    port: await freePort(),
    logFile: path.join(dataDir, 'pg.log'),
    durable: true,
    passwords,
  });
  const s3 = await startS3Server({
    root: ROOT,
    dataDir: path.join(dataDir, 's3'),
    port: await freePort(),
    logFile: path.join(dataDir, 's3.log'),
    accessKeyId: 'bench',
    secretAccessKey: 'bench-secret-key',
  });
  try {
    await ensureDatabases(postgres.url('superuser', 'postgres'), ['orders', 'inventory']);
    await applyMigrations(postgres.url('owner', 'orders'), path.join(ROOT, MIGRATION_DIRS.orders));
    await applyMigrations(postgres.url('owner', 'inventory'), path.join(ROOT, MIGRATION_DIRS.inventory));
    const filling = Date.now();
    await fill(postgres.url('owner', 'orders'), postgres.url('owner', 'inventory'), orders);
    console.log(`filled ${orders} orders in ${((Date.now() - filling) / 1000).toFixed(1)} s`);

    const client = new S3Client({
      endpoint: s3.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'bench', secretAccessKey: 'bench-secret-key' },
    });
    await client.send(new CreateBucketCommand({ Bucket: 'bench' }));
    client.destroy();
    const config = loadBackupConfig({
      BACKUP_POSTGRES_URL: postgres.url('superuser', 'postgres'),
      BACKUP_S3_ENDPOINT: s3.endpoint,
      BACKUP_S3_BUCKET: 'bench',
      AWS_ACCESS_KEY_ID: 'bench',
      AWS_SECRET_ACCESS_KEY: 'bench-secret-key',
    });
    const store = createArchiveStore(config.s3);
    const log = pino({ level: 'silent' });
    const tools = createPgTools(config.pgBinDir);
    const backup = await runBackup({
      databases: config.databases,
      databaseUrl: config.databaseUrl,
      tools,
      store,
      log,
      recordRun: async () => undefined,
      now: () => new Date(),
    });
    const drill = await runRestoreDrill({ store, tools, restoreUrl: config.restoreDatabaseUrl, suffix: config.restoreSuffix, log });
    store.close();
    const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
    const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
    console.log(
      [
        `orders: ${orders}, rows restored: ${Object.entries(drill.rowCounts)
          .map(([db, tables]) => `${db} ${Object.values(tables).reduce((a, b) => a + b, 0)}`)
          .join(', ')}`,
        `dumps: ${drill.manifest.files.map((file) => `${file.name} ${mib(file.bytes)}`).join(', ')}`,
        `archive: ${mib(backup.sizeBytes ?? 0)} (gzip), backup ${s(backup.durationMs)} (dump, pack, upload)`,
        `restore drill: RTO ${s(drill.rtoMs)} = download ${s(drill.timings.downloadMs)} + verify ${s(drill.timings.verifyMs)} + restore ${s(drill.timings.restoreMs)} + reconcile and check ${s(drill.timings.reconcileMs)}`,
        `invariants: ${
          drill.passed
            ? 'all hold'
            : drill.invariants
                .filter((row) => !row.ok)
                .map((row) => row.name)
                .join('; ')
        }`,
      ].join('\n'),
    );
  } finally {
    await s3.stop();
    await postgres.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: Error) => {
  console.error(`bench:backup: ${err.message}`);
  process.exit(1);
});
