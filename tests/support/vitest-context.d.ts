import 'vitest';

/** What the suites' global setups hand to tests through provide()/inject(). */
export interface TestInfra {
  root: string;
  dataDir: string;
  ordersDatabaseUrl: string;
  inventoryDatabaseUrl: string;
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
