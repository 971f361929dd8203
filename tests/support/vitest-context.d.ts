import 'vitest';
import type { PostgresAccess } from '../../infra/postgres';

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
  temporalAddress: string;
  temporalPort: number;
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
