import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { Logger } from 'pino';
import { withClient } from '../infra/postgres';
import { checkStoredInvariants, type InvariantResult } from '../shared/stored-invariants';
import { ArchiveInvalid, type Manifest, readArchive, sha256File } from './archive';
import type { ArchiveStore } from './archive-store';
import type { PgTools } from './pg-tools';
import { reconcile, type ReconcileReport } from './reconcile';

export interface DrillDeps {
  store: ArchiveStore;
  tools: PgTools;
  /** A URL of the restore server for `database` (the role may create and drop databases). */
  restoreUrl: (database: string) => string;
  /** The drill restores `x` into `x<suffix>`. */
  suffix: string;
  log: Logger;
}

export interface DrillResult {
  key: string;
  manifest: Manifest;
  /** Restored database (with the suffix) → table → rows. */
  rowCounts: Record<string, Record<string, number>>;
  reconcile?: ReconcileReport;
  invariants: InvariantResult[];
  passed: boolean;
  /** From the download's start to reconciled and checked databases. */
  rtoMs: number;
  timings: { downloadMs: number; verifyMs: number; restoreMs: number; reconcileMs: number };
}

async function withPool<T>(url: string, work: (pool: pg.Pool) => Promise<T>): Promise<T> {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  try {
    return await work(pool);
  } finally {
    await pool.end();
  }
}

async function recreateDatabase(maintenanceUrl: string, name: string): Promise<void> {
  await withClient(maintenanceUrl, async (client) => {
    const database = client.escapeIdentifier(name);
    await client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${database}`);
  });
}

async function countRows(url: string): Promise<Record<string, number>> {
  return withClient(url, async (client) => {
    const tables = (
      await client.query<{ name: string }>(
        `SELECT quote_ident(tablename) AS name FROM pg_tables WHERE schemaname = 'public' AND tablename NOT LIKE '\\_prisma%' ORDER BY 1`,
      )
    ).rows;
    const counts: Record<string, number> = {};
    for (const { name } of tables) counts[name] = (await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${name}`)).rows[0]!.n;
    return counts;
  });
}

/**
 * Restores a backup the way a disaster would need it, into databases of its own: download,
 * verify every checksum (before any database is touched), restore each dump in one
 * transaction, reconcile orders with inventory, and check the stored invariants.
 */
export async function runRestoreDrill(deps: DrillDeps, options: { key?: string } = {}): Promise<DrillResult> {
  const started = Date.now();
  const key = options.key ?? (await deps.store.latestKey());
  if (!key) throw new Error('no backup archive in the bucket under the configured prefix');
  const log = deps.log.child({ key });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'valerix-restore-'));
  try {
    const archive = path.join(dir, 'archive.tar.gz');
    const { sha256: uploadedSha } = await deps.store.download(key, archive);
    const downloaded = Date.now();
    log.info({ bytes: fs.statSync(archive).size }, 'archive downloaded');

    const actualSha = await sha256File(archive);
    if (uploadedSha && uploadedSha !== actualSha)
      throw new ArchiveInvalid(`archive sha256 ${actualSha}, recorded at upload ${uploadedSha}`);
    const unpacked = path.join(dir, 'unpacked');
    fs.mkdirSync(unpacked);
    const manifest = await readArchive(archive, unpacked);
    const verified = Date.now();
    log.info({ day: manifest.day, files: manifest.files.length }, 'archive verified');

    const rowCounts: DrillResult['rowCounts'] = {};
    const dumps = manifest.files.filter((entry) => entry.part !== 'globals');
    const targetOf = (part: 'orders' | 'inventory') => {
      const file = dumps.find((entry) => entry.part === part);
      return file ? `${file.database!}${deps.suffix}` : undefined;
    };
    for (const file of dumps) {
      const target = `${file.database!}${deps.suffix}`;
      await recreateDatabase(deps.restoreUrl('postgres'), target);
      await deps.tools.restore(deps.restoreUrl(target), path.join(unpacked, file.name));
      log.info({ database: file.database, target }, 'database restored');
    }
    const restored = Date.now();

    let report: ReconcileReport | undefined;
    let invariants: InvariantResult[] = [];
    const [ordersTarget, inventoryTarget] = [targetOf('orders'), targetOf('inventory')];
    if (ordersTarget && inventoryTarget) {
      await withPool(deps.restoreUrl(ordersTarget), (ordersDb) =>
        withPool(deps.restoreUrl(inventoryTarget), async (inventoryDb) => {
          report = await reconcile(ordersDb, inventoryDb);
          invariants = await checkStoredInvariants(ordersDb, inventoryDb, { inFlightMayHold: true });
        }),
      );
    }
    const reconciled = Date.now();
    for (const file of dumps) {
      const target = `${file.database!}${deps.suffix}`;
      rowCounts[target] = await countRows(deps.restoreUrl(target));
    }
    const passed = invariants.length > 0 && invariants.every((row) => row.ok);
    return {
      key,
      manifest,
      rowCounts,
      reconcile: report,
      invariants,
      passed,
      rtoMs: reconciled - started,
      timings: {
        downloadMs: downloaded - started,
        verifyMs: verified - downloaded,
        restoreMs: restored - verified,
        reconcileMs: reconciled - restored,
      },
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
