/**
 * `npm run backup` and `npm run restore-drill` (also the image's `backup` and `restore-drill`
 * commands, run by the Kubernetes CronJob). Configuration: backup/config.ts, .env.example.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { checkStoredInvariants, type InvariantResult } from '../shared/stored-invariants';
import { createBackupRuns } from '../shared/backup-runs';
import { createLogger } from '../shared/logger';
import { createOrdersDb } from '../shared/orders-db';
import { createArchiveStore } from './archive-store';
import { runBackup } from './backup';
import { loadBackupConfig } from './config';
import { createPgTools } from './pg-tools';
import { reconcile, type ReconcileReport } from './reconcile';
import { type DrillResult, runRestoreDrill } from './restore-drill';

const HELP = `Usage: npm run backup [-- --now ISO-TIME]
       npm run restore-drill [-- --key OBJECT-KEY]
       npm run reconcile

backup         Dumps BACKUP_ORDERS_DATABASE and BACKUP_INVENTORY_DATABASE (orders, inventory),
               any BACKUP_EXTRA_DATABASES and the roles into one .tar.gz with a manifest
               (sizes, sha256, server version, day), and uploads it as <BACKUP_S3_PREFIX><UTC day>.tar.gz with If-None-Match: *.
               At most one upload per UTC day: a second run says "already-done" (exit 0).
               A failure exits 1. Each run is recorded in the orders database's backup_runs.
               --now   the run's time (tests, and backfilling a missed day by hand)
restore-drill  Downloads the newest archive (or --key), verifies every checksum, restores
               each database x into x_drill (RESTORE_DATABASE_SUFFIX), reconciles
               orders with inventory and checks the stored invariants. Prints the RTO and
               row counts. Exit 0 only if every invariant holds; a bad archive restores nothing.
reconcile      After a restore by hand: the drill's reconciliation on the databases
               BACKUP_ORDERS_DATABASE and BACKUP_INVENTORY_DATABASE of the restore server
               (RESTORE_POSTGRES_URL, else BACKUP_POSTGRES_URL), then the stored invariants.

Required: BACKUP_POSTGRES_URL; for backup and restore-drill also BACKUP_S3_BUCKET and
AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (or the AWS SDK's other sources), and
BACKUP_S3_ENDPOINT for an S3-compatible store. Read from the environment or .env; all settings: .env.example.`;

function printDrill(result: DrillResult): void {
  const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const lines = [
    `Restore drill of ${result.key} (day ${result.manifest.day}, made ${result.manifest.createdAt}, Postgres ${result.manifest.serverVersion})`,
    `RTO ${seconds(result.rtoMs)}: download ${seconds(result.timings.downloadMs)}, verify ${seconds(result.timings.verifyMs)}, ` +
      `restore ${seconds(result.timings.restoreMs)}, reconcile and check ${seconds(result.timings.reconcileMs)}`,
    'Rows:',
    ...Object.entries(result.rowCounts).flatMap(([database, tables]) =>
      Object.entries(tables).map(([table, rows]) => `  ${database}.${table.padEnd(20)} ${String(rows).padStart(9)}`),
    ),
  ];
  console.log(lines.join('\n'));
  if (result.reconcile) printReconcile(result.reconcile);
  printInvariants(result.invariants);
  console.log(result.passed ? 'DRILL PASSED' : 'DRILL FAILED');
}

const COMMANDS = ['backup', 'restore-drill', 'reconcile'] as const;

function printReconcile(report: ReconcileReport): void {
  const { released, confirmedWithoutReservation, inFlight } = report;
  console.log(
    [
      `Reconcile: ${released.length} reservation(s) released (${['failed', 'cancelled', 'no order']
        .map((why) => `${why} ${released.filter((row) => row.why === why).length}`)
        .join(', ')}); ${inFlight} order(s) in flight at backup time; ` +
        `${confirmedWithoutReservation.length} CONFIRMED order(s) without their reservation`,
      ...confirmedWithoutReservation.map((row) => `  look at ${row.orderId}: reservation ${row.reservationId} is ${row.found}`),
    ].join('\n'),
  );
}

function printInvariants(invariants: InvariantResult[]): boolean {
  console.log(['Invariants:', ...invariants.map((row) => `  ${row.ok ? 'PASS' : 'FAIL'}  ${row.name}: ${row.detail}`)].join('\n'));
  return invariants.length > 0 && invariants.every((row) => row.ok);
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { now: { type: 'string' }, key: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  const [command] = positionals;
  if (values.help || !COMMANDS.includes(command as never)) {
    console.log(HELP);
    return values.help ? 0 : 2;
  }
  const envFile = path.resolve('.env');
  if (fs.existsSync(envFile)) process.loadEnvFile(envFile);
  const config = loadBackupConfig(process.env);
  const log = createLogger(command!, config.logLevel);
  if (command === 'reconcile') {
    const ordersDb = new pg.Pool({ connectionString: config.restoreDatabaseUrl(config.databases.orders), max: 2 });
    const inventoryDb = new pg.Pool({ connectionString: config.restoreDatabaseUrl(config.databases.inventory), max: 2 });
    try {
      printReconcile(await reconcile(ordersDb, inventoryDb));
      return printInvariants(await checkStoredInvariants(ordersDb, inventoryDb, { inFlightMayHold: true })) ? 0 : 1;
    } finally {
      await Promise.all([ordersDb.end(), inventoryDb.end()]);
    }
  }
  if (!config.s3.bucket) throw new Error(`${command} needs BACKUP_S3_BUCKET (see --help and .env.example)`);
  const store = createArchiveStore(config.s3);
  const tools = createPgTools(config.pgBinDir);
  try {
    if (command === 'backup') {
      const now = values.now ? new Date(values.now) : undefined;
      if (now && Number.isNaN(now.getTime())) throw new Error(`--now: '${values.now}' is not a date and time`);
      const db = createOrdersDb(config.recordDatabaseUrl, 1);
      try {
        const result = await runBackup({
          databases: config.databases,
          databaseUrl: config.databaseUrl,
          tools,
          store,
          log,
          recordRun: (run) => createBackupRuns(db).record(run),
          now: () => now ?? new Date(),
        });
        console.log(
          `${result.outcome}: ${result.key}${result.sizeBytes === undefined ? '' : ` (${result.sizeBytes} bytes)`} in ${(result.durationMs / 1000).toFixed(2)} s`,
        );
      } finally {
        await db.$disconnect();
      }
      return 0;
    }
    const result = await runRestoreDrill(
      { store, tools, restoreUrl: config.restoreDatabaseUrl, suffix: config.restoreSuffix, log },
      { key: values.key },
    );
    printDrill(result);
    return result.passed ? 0 : 1;
  } finally {
    store.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: Error) => {
    console.error(`${err.name === 'Error' ? 'error' : err.name}: ${err.message}`);
    process.exit(1);
  },
);
