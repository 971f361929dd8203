import { z } from 'zod';
import { type Environment, loadConfig, logLevel } from '../shared/contract/environment';

const databaseName = z.string().regex(/^[a-z_][a-z0-9_]*$/, 'database names: lowercase letters, digits and _');
const databaseList = z
  .string()
  .default('')
  .transform((value) =>
    value
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean),
  )
  .pipe(z.array(databaseName));

const schema = z.object({
  /**
   * The Postgres server to dump, as a role that can read every database listed (a superuser, or
   * a role granted pg_read_all_data). The path, if any, is ignored: each database is named below.
   */
  BACKUP_POSTGRES_URL: z.string().url(),
  BACKUP_ORDERS_DATABASE: databaseName.default('orders'),
  BACKUP_INVENTORY_DATABASE: databaseName.default('inventory'),
  /** Databases dumped besides those two: `temporal,temporal_visibility` for a self-hosted Temporal on the same server. */
  BACKUP_EXTRA_DATABASES: databaseList,
  /** Where each run is recorded (the gateway's backup metrics read it): the orders database, as a role that may insert. */
  BACKUP_RECORD_DATABASE_URL: z.string().url().optional(),
  /** S3 endpoint of an S3-compatible store; unset means AWS itself. */
  BACKUP_S3_ENDPOINT: z.string().url().optional(),
  BACKUP_S3_REGION: z.string().min(1).default('us-east-1'),
  /** Required by backup and restore-drill (reconcile needs no bucket). */
  BACKUP_S3_BUCKET: z.string().min(3).optional(),
  /** Key prefix: the archive of a day is `<prefix><YYYY-MM-DD>.tar.gz`. */
  BACKUP_S3_PREFIX: z
    .string()
    .default('valerix/')
    .refine((prefix) => prefix === '' || prefix.endsWith('/'), 'ends with /'),
  AWS_ACCESS_KEY_ID: z.string().min(1).optional(),
  AWS_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  /** The restore drill's server (a role that may create databases); defaults to BACKUP_POSTGRES_URL. */
  RESTORE_POSTGRES_URL: z.string().url().optional(),
  /** The drill restores database `x` into `x<suffix>`, never into `x` itself. */
  RESTORE_DATABASE_SUFFIX: z
    .string()
    .regex(/^_[a-z0-9_]+$/, 'starts with _ and holds lowercase letters, digits and _')
    .default('_drill'),
  PG_BIN_DIR: z.string().optional(),
  LOG_LEVEL: logLevel,
});

export type BackupConfig = ReturnType<typeof loadBackupConfig>;

export function loadBackupConfig(env: Environment) {
  const parsed = loadConfig('backup', schema, env);
  const serverUrl = (database: string, base = parsed.BACKUP_POSTGRES_URL) => {
    const url = new URL(base);
    url.pathname = `/${database}`;
    return url.toString();
  };
  return {
    databases: { orders: parsed.BACKUP_ORDERS_DATABASE, inventory: parsed.BACKUP_INVENTORY_DATABASE, extra: parsed.BACKUP_EXTRA_DATABASES },
    databaseUrl: (database: string) => serverUrl(database),
    recordDatabaseUrl: parsed.BACKUP_RECORD_DATABASE_URL ?? serverUrl(parsed.BACKUP_ORDERS_DATABASE),
    restoreDatabaseUrl: (database: string) => serverUrl(database, parsed.RESTORE_POSTGRES_URL ?? parsed.BACKUP_POSTGRES_URL),
    restoreSuffix: parsed.RESTORE_DATABASE_SUFFIX,
    s3: {
      endpoint: parsed.BACKUP_S3_ENDPOINT,
      region: parsed.BACKUP_S3_REGION,
      bucket: parsed.BACKUP_S3_BUCKET ?? '',
      prefix: parsed.BACKUP_S3_PREFIX,
      credentials:
        parsed.AWS_ACCESS_KEY_ID && parsed.AWS_SECRET_ACCESS_KEY
          ? { accessKeyId: parsed.AWS_ACCESS_KEY_ID, secretAccessKey: parsed.AWS_SECRET_ACCESS_KEY }
          : undefined,
    },
    pgBinDir: parsed.PG_BIN_DIR,
    logLevel: parsed.LOG_LEVEL,
  };
}
