import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { withClient } from '../infra/postgres';
import type { Logger } from 'pino';
import type { BackupOutcome, BackupRunRecord } from '../shared/backup-runs';
import { ARCHIVE_FORMAT, type BackupPart, describeFile, type ManifestFile, sha256File, writeArchive } from './archive';
import { type ArchiveStore, backupDay } from './archive-store';
import type { BackupConfig } from './config';
import type { PgTools } from './pg-tools';

export interface BackupDeps {
  databases: BackupConfig['databases'];
  databaseUrl: (database: string) => string;
  tools: PgTools;
  store: ArchiveStore;
  log: Logger;
  /** Where each run's outcome is kept (the gateway's metrics read it); failures to record are logged, not fatal. */
  recordRun: (run: BackupRunRecord) => Promise<void>;
  now: () => Date;
}

export interface BackupResult {
  outcome: BackupOutcome;
  day: string;
  key: string;
  sizeBytes?: number;
  durationMs: number;
}

/**
 * Dumps every database at once, the first one from a snapshot exported before the others
 * start: whatever the first (orders) holds was committed before any later dump began, which is
 * what restore reconciliation relies on. The snapshot's transaction stays open until its dump ends.
 */
async function dumpAll(deps: BackupDeps, dir: string): Promise<ManifestFile[]> {
  const parts: { part: BackupPart; database: string }[] = [
    { part: 'orders', database: deps.databases.orders },
    { part: 'inventory', database: deps.databases.inventory },
    ...deps.databases.extra.map((database) => ({ part: 'extra' as const, database })),
  ];
  const [first, ...rest] = parts.map(({ database }) => database) as [string, ...string[]];
  await withClient(deps.databaseUrl(first), async (holder) => {
    await holder.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const { snapshot } = (await holder.query<{ snapshot: string }>('SELECT pg_export_snapshot() AS snapshot')).rows[0]!;
    await Promise.all([
      deps.tools.dump(deps.databaseUrl(first), path.join(dir, `${first}.dump`), snapshot),
      ...rest.map((database) => deps.tools.dump(deps.databaseUrl(database), path.join(dir, `${database}.dump`))),
      deps.tools.dumpGlobals(deps.databaseUrl('postgres'), path.join(dir, 'globals.sql')),
    ]);
    await holder.query('COMMIT');
  });
  return [
    ...(await Promise.all(parts.map(({ part, database }) => describeFile(dir, `${database}.dump`, part, database)))),
    await describeFile(dir, 'globals.sql', 'globals'),
  ];
}

const serverVersion = (databaseUrl: string) =>
  withClient(
    databaseUrl,
    async (client) => (await client.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version,
  );

/**
 * One backup run: the day's archive is made and uploaded unless it exists already. Two runs on
 * the same day (a retry, a doubled CronJob, two at once) upload at most once between them: the
 * existence check spares the dump, and the conditional write settles a race.
 */
export async function runBackup(deps: BackupDeps): Promise<BackupResult> {
  const started = deps.now();
  const day = backupDay(started);
  const key = deps.store.keyOf(day);
  const log = deps.log.child({ day, key });
  const finish = async (outcome: BackupOutcome, extra: { sizeBytes?: number; error?: string } = {}): Promise<BackupResult> => {
    await deps.recordRun({ day, outcome, objectKey: key, ...extra }).catch((err: Error) => log.error({ err }, 'could not record the run'));
    return { outcome, day, key, sizeBytes: extra.sizeBytes, durationMs: Date.now() - started.getTime() };
  };

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'valerix-backup-'));
  try {
    if (await deps.store.exists(key)) {
      log.info({ decision: 'already-done' }, "today's backup exists: nothing to do");
      return await finish('already-done');
    }
    const dumpDir = path.join(dir, 'dump');
    fs.mkdirSync(dumpDir);
    const files = await dumpAll(deps, dumpDir);
    const archive = path.join(dir, `${day}.tar.gz`);
    await writeArchive(
      dumpDir,
      {
        format: ARCHIVE_FORMAT,
        day,
        createdAt: started.toISOString(),
        serverVersion: await serverVersion(deps.databaseUrl(deps.databases.orders)),
        dumpTool: await deps.tools.version(),
        files,
      },
      archive,
    );
    const sizeBytes = fs.statSync(archive).size;
    const outcome = await deps.store.putOnce(key, archive, await sha256File(archive));
    if (outcome === 'already-done')
      log.info({ decision: 'already-done', sizeBytes }, 'another run uploaded today first: this archive is dropped');
    else log.info({ decision: 'uploaded', sizeBytes, files: files.map(({ name, bytes }) => ({ name, bytes })) }, 'backup uploaded');
    return await finish(outcome, outcome === 'uploaded' ? { sizeBytes } : {});
  } catch (err) {
    log.error({ err, decision: 'failed' }, 'backup failed');
    await finish('failed', { error: (err as Error).message.slice(0, 2000) });
    throw err;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
