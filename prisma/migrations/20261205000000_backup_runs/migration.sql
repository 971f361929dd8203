-- One row per `npm run backup` run: its day, what it decided and the archive it wrote. The
-- gateway exports the newest success as metrics (valerix_backup_*), so an alert can see a
-- backup that did not run at all.
CREATE TABLE "backup_runs" (
    "id" BIGSERIAL NOT NULL,
    "day" TEXT NOT NULL,
    "outcome" TEXT NOT NULL,
    "object_key" TEXT NOT NULL,
    "size_bytes" BIGINT,
    "error" TEXT,
    "finished_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "backup_runs_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "backup_runs_outcome_check" CHECK ("outcome" IN ('uploaded', 'already-done', 'failed'))
);

CREATE INDEX "backup_runs_outcome_finished_at_idx" ON "backup_runs"("outcome", "finished_at");
