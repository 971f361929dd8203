import { defineConfig } from 'vitest/config';

/**
 * `npm run test:deploy`: the deployment suite, run by .ci/run after `npm test`. Today it holds
 * the real Temporal server (scripts/provision/temporal-server.sh builds it): the saga and chaos
 * suites again on that server with mTLS, the mTLS checks themselves, and `npm start -- --temporal
 * server` end to end.
 */
export default defineConfig({
  test: {
    pool: 'forks',
    reporters: ['default', './tests/support/summary-reporter.ts'],
    fileParallelism: false,
    projects: [
      {
        test: {
          // tests/support/infra.global.ts starts the real server for this project name.
          name: 'temporal-server',
          include: [
            'tests/integration/saga.test.ts',
            'tests/integration/chaos.test.ts',
            'tests/deploy/temporal-*.test.ts',
          ],
          globalSetup: ['tests/support/infra.global.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
