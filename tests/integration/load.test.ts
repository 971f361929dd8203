import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestItem, startTestServices, type TestServices } from '../support/services';

const run = promisify(execFile);
const infra = inject('infra');
let s: TestServices;
let items: string;

beforeAll(async () => {
  s = await startTestServices();
  items = [await createTestItem(s.inventoryStore, 10_000), await createTestItem(s.inventoryStore, 10_000)].join(',');
});
afterAll(async () => {
  await s?.stop();
});

async function load(...args: string[]) {
  return run(
    'node',
    ['--import', 'tsx', 'bench/load/cli.ts', '--target', s.gatewayUrl, '--api-key', s.clientKey, '--items', items, ...args],
    {
      cwd: infra.root,
    },
  ).then(
    ({ stdout }) => ({ code: 0, stdout }),
    (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, stdout: `${err.stdout}${err.stderr}` }),
  );
}

describe('npm run load (the standalone load test) against a real gateway', () => {
  it('places real orders at the asked rate and passes thresholds they meet', async () => {
    const before = await s.ordersDb.idempotencyKey.count({ where: { clientId: s.clientId } });
    const json = path.join(infra.dataDir, 'load.json');
    const { code, stdout } = await load('--rate', '10', '--duration', '3', '--json', json);
    expect(stdout).toContain('planned 30, accepted 30, failed 0, dropped 0');
    expect(stdout).toMatch(/^PASS {2}error rate/m);
    expect(code).toBe(0);
    // One claimed key per accepted order, written before the 202.
    expect((await s.ordersDb.idempotencyKey.count({ where: { clientId: s.clientId } })) - before).toBe(30);
    const written = JSON.parse(fs.readFileSync(json, 'utf8')) as { checks: { ok: boolean }[] };
    expect(written.checks.map((check) => check.ok)).toEqual([true, true, true]);
  });

  it('exits 1 when a threshold is missed, and says which', async () => {
    const { code, stdout } = await load('--rate', '5', '--duration', '1', '--p99', '0.001');
    expect(stdout).toMatch(/^FAIL {2}accept p99/m);
    expect(stdout).toMatch(/^PASS {2}error rate/m);
    expect(code).toBe(1);
  });

  it('counts refused orders as errors: a wrong key fails the error rate', async () => {
    const { code, stdout } = await run(
      'node',
      ['--import', 'tsx', 'bench/load/cli.ts', '--target', s.gatewayUrl, '--api-key', 'not-a-key', '--rate', '5', '--duration', '1'],
      {
        cwd: infra.root,
      },
    ).then(
      ({ stdout: out }) => ({ code: 0, stdout: out }),
      (err: { code: number; stdout: string }) => ({ code: err.code, stdout: err.stdout }),
    );
    expect(stdout).toContain('accepted 0, failed 5');
    expect(stdout).toMatch(/^FAIL {2}error rate/m);
    expect(code).toBe(1);
  });

  it('refuses a bad command line with exit 2 and a pointer to --help', async () => {
    const { code, stdout } = await load('--rate', '0');
    expect(stdout).toContain("--rate: '0' is out of range (see --help)");
    expect(code).toBe(2);
  });
});
