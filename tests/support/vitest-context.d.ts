import 'vitest';
import type { PostgresAccess } from '../../infra/postgres';
import type { TemporalMode } from '../../infra/stack';
import type { TemporalConnectionSettings } from '../../shared/temporal-connection';

/** What the suites' global setups hand to tests through provide()/inject(). */
export interface TestInfra {
  root: string;
  dataDir: string;
  /** As the app role, like the services. */
  ordersDatabaseUrl: string;
  inventoryDatabaseUrl: string;
  /** Every role's password, for postgresUrl(): scratch databases (superuser), migrations (owner). */
  postgres: PostgresAccess;
  redisUrl: string;
  temporalMode: TemporalMode;
  /** How tests reach the suite's Temporal (mTLS files in server mode). */
  temporal: TemporalConnectionSettings;
  workflowBundlePath: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    infra: TestInfra;
  }
}

/** What the workflow suite's global setup provides. */
export interface WorkflowSuite {
  temporalCliPath: string;
  workflowBundlePath: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    workflowSuite: WorkflowSuite;
  }
}
