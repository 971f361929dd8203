import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { CreateBucketCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createInventoryStore } from '../../api/inventory/store';
import { ArchiveInvalid } from '../../backup/archive';
import { createArchiveStore } from '../../backup/archive-store';
import { runBackup } from '../../backup/backup';
import { loadBackupConfig } from '../../backup/config';
import { createPgTools, type PgTools } from '../../backup/pg-tools';
import { reconcile } from '../../backup/reconcile';
import { runRestoreDrill } from '../../backup/restore-drill';
import { applyMigrations, MIGRATION_DIRS } from '../../infra/migrate';
import { freePort } from '../../infra/ports';
import { ensureDatabases, postgresUrl } from '../../infra/postgres';
import { type RunningS3Server, startS3Server } from '../../infra/s3';
import { createBackupRuns } from '../../shared/backup-runs';
import { createTestItem, postOrder, startTestServices, waitForStatus, type TestServices } from '../support/services';

const run = promisify(execFile);
const infra = inject('infra');
const id = randomUUID().slice(0, 6);
const DB = { orders: `bk${id}_orders`, inventory: `bk${id}_inventory` };
const BUCKET = 'valerix-backups';
const S3_KEYS = { accessKeyId: 'valerix-test', secretAccessKey: 'valerix-test-secret' };
const silent = pino({ level: 'silent' });

let s3: RunningS3Server;
let s: TestServices;

/** The settings of `npm run backup` for this suite's databases, under a key prefix of the test's own. */
function backupEnv(prefix: string): Record<string, string> {
  return {
    BACKUP_POSTGRES_URL: postgresUrl(infra.postgres, 'superuser', 'postgres'),
    BACKUP_ORDERS_DATABASE: DB.orders,
    BACKUP_INVENTORY_DATABASE: DB.inventory,
    BACKUP_RECORD_DATABASE_URL: postgresUrl(infra.postgres, 'app', DB.orders),
    BACKUP_S3_ENDPOINT: s3.endpoint,
    BACKUP_S3_BUCKET: BUCKET,
    BACKUP_S3_PREFIX: `${prefix}/`,
    AWS_ACCESS_KEY_ID: S3_KEYS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: S3_KEYS.secretAccessKey,
    LOG_LEVEL: 'silent',
  };
}

/** Real pg_dump behind a count of the dumps made. */
function countingTools(): PgTools & { dumps: number } {
  const tools = createPgTools();
  const counted = {
    ...tools,
    dumps: 0,
    async dump(...args: Parameters<PgTools['dump']>) {
      counted.dumps += 1;
      return tools.dump(...args);
    },
  };
  return counted;
}

function backupAt(prefix: string, now: string, tools: PgTools = createPgTools()) {
  const config = loadBackupConfig(backupEnv(prefix));
  const store = createArchiveStore(config.s3);
  return runBackup({
    databases: config.databases,
    databaseUrl: config.databaseUrl,
    tools,
    store,
    log: silent,
    recordRun: (record) => createBackupRuns(s.ordersDb).record(record),
    now: () => new Date(now),
  }).finally(() => store.close());
}

function drill(prefix: string, suffix = '_drill') {
  const config = loadBackupConfig({ ...backupEnv(prefix), RESTORE_DATABASE_SUFFIX: suffix });
  const store = createArchiveStore(config.s3);
  return runRestoreDrill({ store, tools: createPgTools(), restoreUrl: config.restoreDatabaseUrl, suffix, log: silent }).finally(() =>
    store.close(),
  );
}

const s3Client = () => new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: S3_KEYS });

async function keysUnder(prefix: string): Promise<string[]> {
  const client = s3Client();
  try {
    const page = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `${prefix}/` }));
    return (page.Contents ?? []).map((object) => object.Key!).sort();
  } finally {
    client.destroy();
  }
}

async function cli(command: 'backup' | 'restore-drill', prefix: string, extraEnv: Record<string, string> = {}) {
  const env = { ...process.env, ...backupEnv(prefix), ...extraEnv };
  return run('node', ['--import', 'tsx', 'backup/cli.ts', command], { cwd: infra.root, env }).then(
    ({ stdout }) => ({ code: 0, stdout, stderr: '' }),
    (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, stdout: err.stdout, stderr: err.stderr }),
  );
}

async function withPool<T>(database: string, work: (pool: pg.Pool) => Promise<T>): Promise<T> {
  const pool = new pg.Pool({ connectionString: postgresUrl(infra.postgres, 'superuser', database), max: 2 });
  try {
    return await work(pool);
  } finally {
    await pool.end();
  }
}

beforeAll(async () => {
  await ensureDatabases(postgresUrl(infra.postgres, 'superuser', 'postgres'), [DB.orders, DB.inventory]);
  await applyMigrations(postgresUrl(infra.postgres, 'owner', DB.orders), path.join(infra.root, MIGRATION_DIRS.orders));
  await applyMigrations(postgresUrl(infra.postgres, 'owner', DB.inventory), path.join(infra.root, MIGRATION_DIRS.inventory));
  s3 = await startS3Server({
    root: infra.root,
    dataDir: path.join(infra.dataDir, 's3'),
    port: await freePort(),
    logFile: path.join(infra.dataDir, 'logs', 's3.log'),
    ...S3_KEYS,
  });
  const client = s3Client();
  await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
  client.destroy();
  s = await startTestServices({
    databaseUrls: { orders: postgresUrl(infra.postgres, 'app', DB.orders), inventory: postgresUrl(infra.postgres, 'app', DB.inventory) },
  });
});
afterAll(async () => {
  await s?.stop();
  await s3?.stop();
});

describe('backups to a real S3-compatible server (versitygw), restored by the drill', () => {
  it('uploads once when two runs race on the same day; the other says already-done, and a later run does not even dump', async () => {
    const prefix = `race-${id}`;
    const results = await Promise.all([backupAt(prefix, '2026-12-03T00:00:01Z'), backupAt(prefix, '2026-12-03T00:00:01Z')]);
    expect(results.map((result) => result.outcome).sort()).toEqual(['already-done', 'uploaded']);
    expect(await keysUnder(prefix)).toEqual([`${prefix}/2026-12-03.tar.gz`]);

    const tools = countingTools();
    const retry = await backupAt(prefix, '2026-12-03T18:30:00Z', tools);
    expect(retry.outcome).toBe('already-done');
    expect(tools.dumps).toBe(0);
    const runs = await s.ordersDb.backupRun.findMany({ where: { objectKey: `${prefix}/2026-12-03.tar.gz` } });
    expect(runs.map((row) => row.outcome).sort()).toEqual(['already-done', 'already-done', 'uploaded']);

    const metrics = await (await fetch(`${s.gatewayUrl}/metrics`)).text();
    const uploadedAt = runs.find((row) => row.outcome === 'uploaded')!.finishedAt.getTime() / 1000;
    expect(metrics).toContain(`backup_last_success_timestamp_seconds{service="gateway"} ${uploadedAt}`);
    expect(metrics).toMatch(/backup_last_size_bytes\{service="gateway"\} [1-9]\d*/);
  });

  it('keeps one backup per UTC day across a DST change and a clock stepped back', async () => {
    const prefix = `clock-${id}`;
    const outcomes = [];
    // Berlin: 00:59 local on the 29th is still the 28th in UTC; clocks jump 02:00 -> 03:00 that night.
    for (const now of ['2026-03-28T23:30:00Z', '2026-03-29T00:59:00+01:00', '2026-03-29T03:01:00+02:00', '2026-03-29T00:10:00Z']) {
      const result = await backupAt(prefix, now);
      outcomes.push(`${result.day} ${result.outcome}`);
    }
    expect(outcomes).toEqual(['2026-03-28 uploaded', '2026-03-28 already-done', '2026-03-29 uploaded', '2026-03-29 already-done']);
    expect(await keysUnder(prefix)).toEqual([`${prefix}/2026-03-28.tar.gz`, `${prefix}/2026-03-29.tar.gz`]);
  });

  it('restores a backup taken while orders were being placed: reconciled, every invariant holding (npm run restore-drill)', async () => {
    const prefix = `live-${id}`;
    const plenty = await createTestItem(s.inventoryStore, 10_000);
    const scarce = await createTestItem(s.inventoryStore, 5);
    let placing = true;
    let placed = 0;
    const placeOrders = async () => {
      while (placing) {
        const lines =
          placed % 3 === 0
            ? [
                { item_id: plenty, quantity: 1 },
                { item_id: scarce, quantity: 1 },
              ]
            : [{ item_id: plenty, quantity: 2 }];
        const response = await postOrder(s, { lines }, { key: randomUUID() });
        expect([201, 202]).toContain(response.status);
        placed += 1;
      }
    };
    const placers = [placeOrders(), placeOrders(), placeOrders()];
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const backup = await backupAt(prefix, new Date().toISOString());
    const placedAtBackup = placed;
    placing = false;
    await Promise.all(placers);
    expect(backup.outcome).toBe('uploaded');
    expect(placedAtBackup).toBeGreaterThan(5);

    const { code, stdout, stderr } = await cli('restore-drill', prefix);
    expect(stderr).not.toMatch(/error/i);
    expect(stdout).toMatch(/RTO \d+\.\d+ s: download/);
    expect(stdout).toMatch(new RegExp(`${DB.orders}_drill\\.orders\\s+[1-9]\\d*`));
    expect(stdout).toMatch(new RegExp(`${DB.inventory}_drill\\.reservations\\s+[1-9]\\d*`));
    expect(stdout).not.toContain('FAIL ');
    expect(stdout).toContain('DRILL PASSED');
    expect(code).toBe(0);
  });

  it('reconciles by order id: releases what a failed or absent order holds, reports a CONFIRMED order without its reservation', async () => {
    const item = await createTestItem(s.inventoryStore, 100);
    for (const quantity of [1, 2]) {
      const { body } = await postOrder(s, { lines: [{ item_id: item, quantity }] }, { key: randomUUID() });
      await waitForStatus(s, body.id as string, ['CONFIRMED']);
    }
    expect((await backupAt(`settled-${id}`, new Date().toISOString())).outcome).toBe('uploaded');
    const result = await drill(`settled-${id}`, '_reconcile');
    expect(result.passed).toBe(true);
    await withPool(`${DB.orders}_reconcile`, (ordersDb) =>
      withPool(`${DB.inventory}_reconcile`, async (inventoryDb) => {
        const inventory = createInventoryStore(inventoryDb);
        const item = (await inventory.list()).find((row) => row.stock > 10)!;
        await inventory.reserve('res-orphan', item.item_id, 3);
        const { rows } = await ordersDb.query<{ order_id: string; reservation_id: string }>(
          `SELECT l.order_id, l.reservation_id FROM order_lines l JOIN orders o ON o.id = l.order_id WHERE o.status = 'CONFIRMED' LIMIT 2`,
        );
        const [toFail, toCheck] = rows as [(typeof rows)[number], (typeof rows)[number]];
        await ordersDb.query(`UPDATE orders SET status = 'FAILED' WHERE id = $1`, [toFail.order_id]);
        await inventory.release(
          toCheck.reservation_id,
          (await inventoryDb.query('SELECT item_id FROM reservations WHERE reservation_id = $1', [toCheck.reservation_id])).rows[0].item_id,
        );
        const stockBefore = (await inventory.get(item.item_id))!.stock;

        const report = await reconcile(ordersDb, inventoryDb);
        expect(report.released).toContainEqual({ reservationId: 'res-orphan', orderId: undefined, why: 'no order' });
        expect(report.released.filter((row) => row.orderId === toFail.order_id).map((row) => row.why)).toContain('failed');
        expect(report.confirmedWithoutReservation).toContainEqual({
          orderId: toCheck.order_id,
          reservationId: toCheck.reservation_id,
          found: 'RELEASED',
        });
        expect((await inventory.get(item.item_id))!.stock).toBeGreaterThanOrEqual(stockBefore + 3);
        expect((await reconcile(ordersDb, inventoryDb)).released).toEqual([]);
      }),
    );
  });

  it('fails loudly on a corrupted or truncated archive and leaves the target databases untouched', async () => {
    const good = `live-${id}`;
    const [key] = await keysUnder(good);
    const config = loadBackupConfig(backupEnv(good));
    const store = createArchiveStore(config.s3);
    const file = path.join(infra.dataDir, 'good.tar.gz');
    const { sha256 } = await store.download(key!, file);
    store.close();
    const bytes = fs.readFileSync(file);
    const flipped = Buffer.from(bytes);
    flipped[Math.floor(flipped.length / 2)]! ^= 0xff;

    const target = `${DB.orders}_drill`;
    await withPool(target, async (pool) => {
      await pool.query('CREATE TABLE drill_marker (note text)');
      await pool.query(`INSERT INTO drill_marker VALUES ('before')`);
    });
    const ordersBefore = await withPool(
      target,
      async (pool) => (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM orders')).rows[0]!.n,
    );

    const client = s3Client();
    // A flipped byte, with the sha256 recorded at upload; and a truncated copy with none (caught by gzip, tar and the manifest).
    await client.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: `corrupt-${id}/2026-12-31.tar.gz`, Body: flipped, Metadata: { sha256: sha256! } }),
    );
    await client.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: `truncated-${id}/2026-12-31.tar.gz`,
        Body: bytes.subarray(0, Math.floor(bytes.length * 0.6)),
      }),
    );
    client.destroy();

    await expect(drill(`corrupt-${id}`)).rejects.toBeInstanceOf(ArchiveInvalid);
    await expect(drill(`truncated-${id}`)).rejects.toBeInstanceOf(ArchiveInvalid);
    const { code, stdout, stderr } = await cli('restore-drill', `truncated-${id}`);
    expect(code).toBe(1);
    expect(stdout).not.toContain('DRILL');
    expect(stderr).toMatch(/^ArchiveInvalid: cannot unpack/m);

    await withPool(target, async (pool) => {
      expect((await pool.query('SELECT note FROM drill_marker')).rows).toEqual([{ note: 'before' }]);
      expect((await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM orders')).rows[0]!.n).toBe(ordersBefore);
    });
  });

  it('runs as npm run backup: exit 0 with the decision, and again on the same day already-done', async () => {
    const prefix = `cli-${id}`;
    const first = await cli('backup', prefix);
    expect(first.stdout).toMatch(new RegExp(`^uploaded: ${prefix}/\\d{4}-\\d{2}-\\d{2}\\.tar\\.gz \\(\\d+ bytes\\)`));
    expect(first.code).toBe(0);
    const second = await cli('backup', prefix);
    expect(second.stdout).toMatch(/^already-done: /);
    expect(second.code).toBe(0);
    const broken = await cli('backup', prefix, { BACKUP_S3_BUCKET: 'no-such-bucket' });
    expect(broken.code).toBe(1);
    expect(broken.stderr).not.toBe('');
    expect(
      (await s.ordersDb.backupRun.findFirst({ where: { objectKey: { startsWith: `${prefix}/` } }, orderBy: { id: 'desc' } }))?.outcome,
    ).toBe('failed');
  });
});
