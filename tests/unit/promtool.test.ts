import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOCAL_CONFIG, renderLocalPrometheusConfig } from '../../infra/prometheus';
import { OBSERVABILITY_DIR, RULES_DIR } from '../../observability/references';

const PROMETHEUS_DIR = path.join(OBSERVABILITY_DIR, 'prometheus');
const TESTS_DIR = path.join(PROMETHEUS_DIR, 'tests');
const ymlIn = (dir: string) =>
  fs
    .readdirSync(dir)
    .filter((name) => name.endsWith('.yml'))
    .map((name) => path.join(dir, name));

function promtool(...args: string[]) {
  const result = spawnSync(process.env.PROMTOOL_PATH ?? 'promtool', args, { encoding: 'utf8', cwd: PROMETHEUS_DIR });
  if (result.error) {
    throw new Error(
      `promtool could not run (${result.error.message}): install it with scripts/provision.sh --for-tests (Debian package prometheus) or set PROMTOOL_PATH`,
    );
  }
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('Prometheus config and alert rules (promtool)', () => {
  it('accepts the rule files', () => {
    const { code, output } = promtool('check', 'rules', ...ymlIn(RULES_DIR));
    expect(output).toMatch(/SUCCESS: \d+ rules found/);
    expect(code, output).toBe(0);
  });

  it.each(['prometheus.yml', 'prometheus.k8s.yml'])('accepts %s, rule files included', (file) => {
    const { code, output } = promtool('check', 'config', path.join(PROMETHEUS_DIR, file));
    expect(output).toContain('rules found');
    expect(code, output).toBe(0);
  });

  it('moves the local targets to the stack ports for --with-prometheus, and the result is valid', () => {
    // Gateway and inventory swapped: a naive replace-one-after-the-other would mix them up.
    const rendered = renderLocalPrometheusConfig(fs.readFileSync(LOCAL_CONFIG, 'utf8'), {
      gateway: 5102,
      inventory: 5101,
      worker: 5103,
      prometheus: 5190,
    });
    const target = (job: string) =>
      new RegExp(`job_name: ${job}\\n\\s+static_configs:\\n\\s+- targets: \\['([^']+)'\\]`).exec(rendered)?.[1];
    expect([target('valerix-gateway'), target('valerix-inventory'), target('valerix-worker'), target('prometheus')]).toEqual([
      '127.0.0.1:5102',
      '127.0.0.1:5101',
      '127.0.0.1:5103',
      '127.0.0.1:5190',
    ]);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'valerix-prometheus-'));
    try {
      fs.writeFileSync(path.join(dir, 'prometheus.yml'), rendered);
      const { code, output } = promtool('check', 'config', path.join(dir, 'prometheus.yml'));
      expect(output).toMatch(/SUCCESS: \d+ rules found/);
      expect(code, output).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  // promtool evaluates every rule each simulated minute: the backup alert's 28 hours take seconds.
  const PROMTOOL_RUN_MS = 60_000;

  it('passes the rule unit tests', { timeout: PROMTOOL_RUN_MS }, () => {
    const { code, output } = promtool('test', 'rules', ...ymlIn(TESTS_DIR));
    expect(code, output).toBe(0);
    expect(output).toContain('SUCCESS');
  });

  it('tests every alert both firing and quiet', () => {
    const alerts = ymlIn(RULES_DIR).flatMap((file) =>
      [...fs.readFileSync(file, 'utf8').matchAll(/^\s*- alert: (\w+)/gm)].map((match) => match[1]!),
    );
    expect(alerts.length).toBeGreaterThanOrEqual(4);
    // One alert_rule_test entry: `alertname: X` followed by either `exp_alerts: []` or a list.
    const cases = ymlIn(TESTS_DIR).flatMap((file) =>
      [...fs.readFileSync(file, 'utf8').matchAll(/alertname: (\w+)\s*\n\s*exp_alerts:(.*)/g)].map((match) => ({
        alert: match[1]!,
        quiet: match[2]!.trim() === '[]',
      })),
    );
    for (const alert of alerts) {
      expect(
        cases.some((c) => c.alert === alert && !c.quiet),
        `${alert} has no firing case`,
      ).toBe(true);
      expect(
        cases.some((c) => c.alert === alert && c.quiet),
        `${alert} has no quiet case`,
      ).toBe(true);
    }
  });

  it('fails a rule test whose expectation is wrong (the harness can fail)', { timeout: PROMTOOL_RUN_MS }, () => {
    const broken = fs
      .readFileSync(path.join(TESTS_DIR, 'valerix.rules.test.yml'), 'utf8')
      .replace('../rules/', `${RULES_DIR}/`)
      .replace(
        'description: "p95 of order processing over 5 minutes: 2.425s."',
        'description: "p95 of order processing over 5 minutes: 0s."',
      );
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'valerix-promtool-'));
    try {
      fs.writeFileSync(path.join(dir, 'broken.yml'), broken);
      const { code, output } = promtool('test', 'rules', path.join(dir, 'broken.yml'));
      expect(code).not.toBe(0);
      expect(output).toContain('OrderLatencyHigh');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('gives every alert a severity and a runbook that exists', () => {
    const rules = ymlIn(RULES_DIR)
      .map((file) => fs.readFileSync(file, 'utf8'))
      .join('\n');
    const runbooks = fs.readFileSync(path.join(OBSERVABILITY_DIR, 'runbooks.md'), 'utf8');
    const anchors = new Set([...runbooks.matchAll(/^## (.+)$/gm)].map((match) => match[1]!.toLowerCase().replace(/[^a-z0-9]+/g, '')));
    const blocks = rules.split(/^\s*- alert: /m).slice(1);
    expect(blocks.length).toBeGreaterThan(0);
    for (const block of blocks) {
      const name = block.split('\n')[0]!.trim();
      expect(block, name).toMatch(/severity: (critical|warning)/);
      const runbook = /runbook: observability\/runbooks\.md#(\S+)/.exec(block);
      expect(runbook, `${name} has no runbook annotation`).not.toBeNull();
      expect(anchors.has(runbook![1]!), `${name}: no section #${runbook![1]} in runbooks.md`).toBe(true);
    }
  });
});
