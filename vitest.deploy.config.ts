import { defineConfig } from 'vitest/config';

/**
 * `npm run test:deploy`: the deployment suite, run by .ci/run after `npm test`, one project after
 * another (2 cores):
 * - temporal-server: the real Temporal server (scripts/provision/temporal-server.sh builds it):
 *   the saga and chaos suites again on it with mTLS, the mTLS checks, and `npm start -- --temporal
 *   server` end to end;
 * - kubernetes: the manifests against a real kube-apiserver (server-side dry run);
 * - containers: the image built with buildah and run with podman, and compose on podman, against
 *   the dev test infrastructure.
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
          include: ['tests/integration/saga.test.ts', 'tests/integration/chaos.test.ts', 'tests/deploy/temporal-*.test.ts'],
          globalSetup: ['tests/support/infra.global.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'kubernetes',
          include: ['tests/deploy/k8s/**/*.test.ts'],
          testTimeout: 300_000,
          hookTimeout: 300_000,
          sequence: { groupOrder: 1 },
        },
      },
      {
        test: {
          name: 'containers',
          include: ['tests/deploy/containers/**/*.test.ts'],
          globalSetup: ['tests/support/infra.global.ts'],
          testTimeout: 600_000,
          hookTimeout: 900_000,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
