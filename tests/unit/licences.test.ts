import { describe, expect, it } from 'vitest';
import {
  AdvisoryServiceUnavailable,
  AUDIT_EXCEPTIONS_FILE,
  LICENCE_EXCEPTIONS_FILE,
  checkAudit,
  checkLicences,
  evaluateLicence,
  licenceOf,
  readExceptions,
  readInstalledLicences,
  runNpmAudit,
  type PackageLicence,
} from '../../scripts/check-licences';

describe('SPDX evaluation', () => {
  it.each([
    ['MIT', 'allowed'],
    ['(MIT OR Apache-2.0)', 'allowed'],
    ['Apache-2.0 AND MIT', 'allowed'],
    ['MIT and ISC', 'allowed'],
    ['Apache-2.0 WITH LLVM-exception', 'allowed'],
    ['(MIT OR AGPL-3.0)', 'allowed'],
    ['AGPL-3.0-only', 'banned'],
    ['AGPL-3.0-or-later', 'banned'],
    ['MIT AND AGPL-3.0', 'banned'],
    ['(GPL-3.0 OR AGPL-3.0)', 'banned'],
    ['SSPL-1.0', 'banned'],
    ['BUSL-1.1', 'banned'],
    ['GPL-3.0', 'unknown'],
    ['UNLICENSED', 'unknown'],
    ['SEE LICENSE IN LICENSE.md', 'unknown'],
    ['(MIT', 'unknown'],
    [undefined, 'unknown'],
    ['', 'unknown'],
  ] as const)('%s is %s', (expression, verdict) => {
    expect(evaluateLicence(expression)).toBe(verdict);
  });

  it('reads old manifests: a licence object, and a licenses array as a choice', () => {
    expect(licenceOf({ license: { type: 'MIT' } })).toBe('MIT');
    expect(licenceOf({ licenses: [{ type: 'MIT' }] })).toBe('MIT');
    expect(licenceOf({ licenses: [{ type: 'AGPL-3.0' }, { type: 'MIT' }] })).toBe('(AGPL-3.0 OR MIT)');
    expect(licenceOf({})).toBeUndefined();
  });
});

describe('licence check', () => {
  const pkg = (name: string, licence: string | undefined): PackageLicence => ({
    name,
    version: '1.0.0',
    location: `node_modules/${name}`,
    licence,
    verdict: evaluateLicence(licence),
  });

  it('refuses AGPL and missing licences unless excepted for the licence they declare', () => {
    const report = checkLicences([pkg('ok', 'MIT'), pkg('bad', 'AGPL-3.0-only'), pkg('bare', undefined), pkg('moved', 'SSPL-1.0')], {
      bare: { reason: 'LICENSE file is MIT' },
      moved: { licence: 'MIT', reason: 'was MIT when excepted' },
    });
    expect(report.problems.map((p) => p.name)).toEqual(['bad', 'moved']);
    expect(report.unusedExceptions).toEqual(['moved']);
  });

  it('passes on the installed tree, with the committed exceptions', () => {
    const report = checkLicences(readInstalledLicences(), readExceptions(LICENCE_EXCEPTIONS_FILE));
    expect(report.checked).toBeGreaterThan(100);
    expect(report.problems, JSON.stringify(report.problems, null, 2)).toEqual([]);
    expect(report.unusedExceptions).toEqual([]);
  });
});

describe('audit check', () => {
  const audit = (via: unknown[]) => JSON.stringify({ vulnerabilities: { lib: { via } }, metadata: { vulnerabilities: { high: 1 } } });
  const advisory = (severity: string) => ({ severity, title: 'bad', url: 'https://github.com/advisories/GHSA-aaaa-bbbb-cccc' });

  it('fails on a high or critical advisory unless excepted, not on moderate ones', () => {
    expect(checkAudit(audit([advisory('high')]), {}).problems.map((a) => a.id)).toEqual(['GHSA-aaaa-bbbb-cccc']);
    expect(checkAudit(audit([advisory('critical'), 'other-lib']), {}).problems).toHaveLength(1);
    expect(checkAudit(audit([advisory('moderate')]), {}).problems).toEqual([]);
    expect(checkAudit(audit([advisory('high')]), { 'GHSA-aaaa-bbbb-cccc': { reason: 'not reachable' } }).problems).toEqual([]);
  });

  it('fails when npm could not reach the registry', () => {
    expect(() => checkAudit(JSON.stringify({ error: { summary: 'getaddrinfo ENOTFOUND', detail: '' } }), {})).toThrow(
      /could not query the registry/,
    );
    expect(() => checkAudit('', {})).toThrow(/no JSON report/);
  });

  it('finds no unexcepted high or critical advisory in the real tree', (context) => {
    const { stdout, stderr } = runNpmAudit();
    let report;
    try {
      report = checkAudit(stdout, readExceptions(AUDIT_EXCEPTIONS_FILE), stderr);
    } catch (err) {
      // Reported as skipped, never as passed: some networks serve packages but not advisories.
      if (err instanceof AdvisoryServiceUnavailable) {
        console.warn(`AUDIT NOT RUN: ${err.message}`);
        return context.skip();
      }
      throw err;
    }
    expect(report.problems).toEqual([]);
  }, 150_000);
});
