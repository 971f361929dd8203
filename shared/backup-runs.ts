import type { OrdersDb } from './orders-db';

/** What a backup run decided: the day's archive uploaded, found already there, or no archive. */
export const BACKUP_OUTCOMES = ['uploaded', 'already-done', 'failed'] as const;
export type BackupOutcome = (typeof BACKUP_OUTCOMES)[number];

export interface BackupRunRecord {
  /** The UTC day the run was for (YYYY-MM-DD). */
  day: string;
  outcome: BackupOutcome;
  objectKey: string;
  sizeBytes?: number;
  error?: string;
}

/** The `backup_runs` table of the orders database: written by each backup run, read by the gateway's metrics. */
export function createBackupRuns(db: OrdersDb) {
  return {
    async record(run: BackupRunRecord): Promise<void> {
      await db.backupRun.create({
        data: {
          day: run.day,
          outcome: run.outcome,
          objectKey: run.objectKey,
          sizeBytes: run.sizeBytes === undefined ? null : BigInt(run.sizeBytes),
          error: run.error ?? null,
        },
      });
    },

    /** The newest upload: when it finished and the archive's size. */
    async lastUpload(): Promise<{ finishedAt: Date; sizeBytes: number } | undefined> {
      const row = await db.backupRun.findFirst({ where: { outcome: 'uploaded' }, orderBy: { finishedAt: 'desc' } });
      return row ? { finishedAt: row.finishedAt, sizeBytes: Number(row.sizeBytes ?? 0) } : undefined;
    },
  };
}
