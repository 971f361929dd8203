import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { MAX_PREFER_WAIT_SECONDS } from '../../shared/contract/order-api';
import { TEST_ADMIN_TOKEN, TEST_SERVICE_TOKEN, startTestServices, type TestServices } from '../support/services';

const run = promisify(execFile);
const SCHEMATHESIS = path.join(inject('infra').root, '.tools/fuzz-venv/bin/schemathesis');
/** Cases per operation: enough to try every field's edges, small enough for CI on 2 cores. */
const MAX_EXAMPLES = '100';
/** A bound for a hung run, not a speed target (a run takes about half a minute). */
const FUZZ_TIMEOUT_MS = 600_000;
/** Schemathesis is stopped a minute before the test's own timeout, so a run that hangs still shows what it printed. */
const RUN_TIMEOUT_MS = FUZZ_TIMEOUT_MS - 60_000;
/**
 * Above the longest answer the API may legitimately hold back (`Prefer: wait=30`): a shorter
 * timeout turns a valid held request into a failure that Hypothesis then shrinks, one timeout
 * after another, for minutes.
 */
const REQUEST_TIMEOUT_S = String(MAX_PREFER_WAIT_SECONDS + 10);
const CHECKS = 'not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance';

let s: TestServices;
beforeAll(async () => {
  if (!fs.existsSync(SCHEMATHESIS)) throw new Error('Schemathesis missing: run `npm run provision -- --for-tests`');
  s = await startTestServices();
});
afterAll(async () => {
  await s?.stop();
});

/** One Schemathesis run against an OpenAPI document; resolves with its summary. */
async function fuzz(name: string, documentUrl: string, token: string, filter: string[]) {
  const reportDir = path.join(inject('infra').dataDir, `fuzz-${name}`);
  const args = [
    'run',
    documentUrl,
    '--checks',
    CHECKS,
    '--max-examples',
    MAX_EXAMPLES,
    '--phases',
    'examples,coverage,fuzzing',
    '--seed',
    '20261202',
    '--request-timeout',
    REQUEST_TIMEOUT_S,
    '--header',
    `Authorization: Bearer ${token}`,
    '--report',
    'junit',
    '--report-dir',
    reportDir,
    '--no-color',
    ...filter,
  ];
  const result = await run(SCHEMATHESIS, args, { cwd: inject('infra').dataDir, maxBuffer: 64 * 1024 * 1024, timeout: RUN_TIMEOUT_MS }).then(
    ({ stdout }) => ({ ok: true, output: stdout }),
    (err: { stdout?: string; stderr?: string; killed?: boolean }) => ({
      ok: false,
      output: `${err.killed ? `stopped after ${RUN_TIMEOUT_MS / 1000} s\n` : ''}${err.stdout ?? ''}\n${err.stderr ?? ''}`,
    }),
  );
  const cases = result.output.match(/^\s*(\d+ generated, .*)$/m)?.[1] ?? 'no summary';
  const operations = result.output.match(/Operations:\s+(\d+ selected \/ \d+ total)/)?.[1] ?? '?';
  console.log(`[fuzz ${name}] operations ${operations}; cases ${cases}`);
  return result;
}

describe('API fuzzing with Schemathesis (both OpenAPI documents, authenticated)', () => {
  it(
    'finds no 5xx and no status, content-type or schema violation in the gateway (as a client)',
    async () => {
      // The event stream never ends, so it cannot be fuzzed as a request/response operation.
      // As a client, not an admin: Schemathesis reuses ids from the order list, and an admin's
      // list holds every test's orders. Cancelling those waited on workers long gone (minutes of
      // 10 s waits in CI) and could cancel orders other test files still assert on.
      const result = await fuzz('gateway', `${s.gatewayUrl}/docs/json`, s.clientKey, ['--exclude-path', '/api/orders/events']);
      expect(result.ok, result.output).toBe(true);
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    'finds none in the inventory service, as the worker and as an admin',
    async () => {
      const asWorker = await fuzz('inventory-worker', `${s.inventoryUrl}/docs/json`, TEST_SERVICE_TOKEN, []);
      expect(asWorker.ok, asWorker.output).toBe(true);
      const asAdmin = await fuzz('inventory-admin', `${s.inventoryUrl}/docs/json`, TEST_ADMIN_TOKEN, ['--include-path-regex', 'restock']);
      expect(asAdmin.ok, asAdmin.output).toBe(true);
    },
    FUZZ_TIMEOUT_MS,
  );
});
