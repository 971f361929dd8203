// Licence and vulnerability gate: every package in package-lock.json must carry an allowed licence,
// and `npm audit` must show no high/critical advisory, unless a committed exception gives the reason.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const LICENCE_EXCEPTIONS_FILE = path.join(ROOT, 'scripts/licence-exceptions.json');
export const AUDIT_EXCEPTIONS_FILE = path.join(ROOT, 'scripts/audit-exceptions.json');

// Permissive licences, plus MPL-2.0 whose copyleft stops at the files it covers.
const ALLOWED = new Set([
  '0BSD',
  'Apache-2.0',
  'BlueOak-1.0.0',
  'BSD-2-Clause',
  'BSD-3-Clause',
  'CC-BY-3.0',
  'CC-BY-4.0',
  'CC0-1.0',
  'ISC',
  'MIT',
  'MIT-0',
  'MPL-2.0',
  'Python-2.0',
  'Unlicense',
  'Zlib',
]);
// Network copyleft and source-available licences: never acceptable in a shipped service.
const BANNED = /^(AGPL|SSPL|BUSL)/i;

export type Verdict = 'allowed' | 'banned' | 'unknown';

/** Verdict on an SPDX expression: OR passes if any branch does, AND only if all do; absent is unknown. */
export function evaluateLicence(expression: string | undefined): Verdict {
  if (!expression?.trim()) return 'unknown';
  const tokens = expression.match(/\(|\)|[^\s()]+/g) ?? [];
  let at = 0;
  const peek = () => tokens[at]?.toUpperCase();
  const orExpr = (): Verdict => {
    const branches = [andExpr()];
    while (peek() === 'OR') {
      at++;
      branches.push(andExpr());
    }
    if (branches.includes('allowed')) return 'allowed';
    return branches.includes('banned') ? 'banned' : 'unknown';
  };
  const andExpr = (): Verdict => {
    const parts = [atom()];
    while (peek() === 'AND') {
      at++;
      parts.push(atom());
    }
    if (parts.includes('banned')) return 'banned';
    return parts.every((part) => part === 'allowed') ? 'allowed' : 'unknown';
  };
  const atom = (): Verdict => {
    const token = tokens[at++];
    if (token === '(') {
      const inner = orExpr();
      if (tokens[at++] !== ')') throw new SyntaxError(`unbalanced parentheses in "${expression}"`);
      return inner;
    }
    if (token === undefined || token === ')') throw new SyntaxError(`licence id expected in "${expression}"`);
    // An exception (WITH ...) only grants more, so the base licence decides.
    if (peek() === 'WITH') at += 2;
    const id = token.replace(/\+$/, '');
    if (BANNED.test(id)) return 'banned';
    return ALLOWED.has(id) ? 'allowed' : 'unknown';
  };
  try {
    const verdict = orExpr();
    return at === tokens.length ? verdict : 'unknown';
  } catch {
    return 'unknown';
  }
}

type LicenceField = string | { type?: string } | undefined;
interface Manifest {
  license?: LicenceField;
  licenses?: LicenceField[];
}

/** The licence a manifest declares, as one SPDX expression (undefined when it declares none). */
export function licenceOf(manifest: Manifest): string | undefined {
  const name = (field: LicenceField) => (typeof field === 'string' ? field : field?.type);
  const single = name(manifest.license);
  if (single) return single;
  // The legacy `licenses` array listed the licences on offer: a choice, so OR.
  const legacy = (manifest.licenses ?? []).map(name).filter((id): id is string => Boolean(id));
  if (legacy.length === 0) return undefined;
  return legacy.length === 1 ? legacy[0] : `(${legacy.join(' OR ')})`;
}

export interface PackageLicence {
  name: string;
  version: string;
  location: string;
  licence: string | undefined;
  verdict: Verdict;
}

/** Every package of the lockfile; the installed package.json wins, the lockfile stands in for packages of other platforms. */
export function readInstalledLicences(root = ROOT): PackageLicence[] {
  const lock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { name?: string; version?: string; license?: string; link?: boolean }>;
  };
  return Object.entries(lock.packages)
    .filter(([location, entry]) => location !== '' && !entry.link)
    .map(([location, entry]) => {
      const manifestPath = path.join(root, location, 'package.json');
      const manifest: Manifest = fs.existsSync(manifestPath)
        ? JSON.parse(fs.readFileSync(manifestPath, 'utf8'))
        : { license: entry.license };
      const licence = licenceOf(manifest);
      const name = entry.name ?? location.slice(location.lastIndexOf('node_modules/') + 'node_modules/'.length);
      return { name, version: entry.version ?? '?', location, licence, verdict: evaluateLicence(licence) };
    });
}

type Exceptions = Record<string, { reason: string; licence?: string; package?: string }>;
export const readExceptions = (file: string): Exceptions => JSON.parse(fs.readFileSync(file, 'utf8')).exceptions;

export interface LicenceReport {
  checked: number;
  byLicence: Map<string, number>;
  problems: PackageLicence[];
  unusedExceptions: string[];
}

/** Refused packages, less those excepted by name for the very licence they declare now. */
export function checkLicences(packages: PackageLicence[], exceptions: Exceptions): LicenceReport {
  const byLicence = new Map<string, number>();
  const used = new Set<string>();
  const problems: PackageLicence[] = [];
  for (const pkg of packages) {
    const key = pkg.licence ?? '(none)';
    byLicence.set(key, (byLicence.get(key) ?? 0) + 1);
    if (pkg.verdict === 'allowed') continue;
    const exception = exceptions[pkg.name];
    if (exception && (exception.licence ?? '(none)') === key) used.add(pkg.name);
    else problems.push(pkg);
  }
  const unusedExceptions = Object.keys(exceptions).filter((name) => !used.has(name));
  return { checked: packages.length, byLicence, problems, unusedExceptions };
}

export interface Advisory {
  id: string;
  package: string;
  severity: string;
  title: string;
  url: string;
}
export interface AuditReport {
  counts: Record<string, number>;
  problems: Advisory[];
  excepted: Advisory[];
}

/** npm could not reach the registry's advisory service: the audit did not run (not the same as a clean audit). */
export class AdvisoryServiceUnavailable extends Error {
  override name = 'AdvisoryServiceUnavailable';
}

/** High and critical advisories of an `npm audit --json` report; throws when npm could not audit at all. */
export function checkAudit(auditJson: string, exceptions: Exceptions, npmErrors = ''): AuditReport {
  let report: {
    error?: { summary?: string; detail?: string };
    vulnerabilities?: Record<string, { via: unknown[] }>;
    metadata?: { vulnerabilities?: Record<string, number> };
  };
  try {
    report = JSON.parse(auditJson);
  } catch {
    throw new Error(`npm audit printed no JSON report: ${auditJson.slice(0, 300)}`);
  }
  if (report.error || !report.vulnerabilities) {
    const why = [report.error?.summary, report.error?.detail, npmErrors.trim()].filter(Boolean).join(' ') || 'no report returned';
    throw new AdvisoryServiceUnavailable(`npm audit could not query the registry's advisory service (${why}): the audit did not run`);
  }
  const advisories = new Map<string, Advisory>();
  for (const [name, vulnerability] of Object.entries(report.vulnerabilities)) {
    for (const via of vulnerability.via) {
      // A string `via` names another vulnerable package; its advisory is listed under that package.
      if (typeof via !== 'object' || via === null) continue;
      const { severity, title, url } = via as { severity: string; title: string; url: string };
      if (severity !== 'high' && severity !== 'critical') continue;
      const id = /GHSA-[\w-]+/.exec(url)?.[0] ?? url;
      advisories.set(id, { id, package: name, severity, title, url });
    }
  }
  const all = [...advisories.values()];
  return {
    counts: report.metadata?.vulnerabilities ?? {},
    problems: all.filter((advisory) => !exceptions[advisory.id]),
    excepted: all.filter((advisory) => exceptions[advisory.id]),
  };
}

/** Runs npm audit; its exit code is ignored because checkAudit reads the report itself. */
export function runNpmAudit(root = ROOT): { stdout: string; stderr: string } {
  const result = spawnSync('npm', ['audit', '--audit-level=high', '--json'], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  if (result.error) throw new Error(`npm audit could not run: ${result.error.message}`);
  // The debug-log pointer is noise in a test failure; the warn/error lines say what went wrong.
  return {
    stdout: result.stdout,
    stderr: result.stderr
      .split('\n')
      .filter((line) => !line.includes('complete log'))
      .join('\n'),
  };
}

function main(args: string[]): number {
  if (args.includes('--help') || args.includes('-h')) {
    console.log(`Usage: npm run licences   (tsx scripts/check-licences.ts)

Fails when a package in package-lock.json has a banned licence (AGPL, SSPL, BUSL), one outside the
allow list (permissive licences and MPL-2.0) or none at all, or when npm audit reports a high or
critical advisory. Exceptions, each with its reason:
  ${path.relative(ROOT, LICENCE_EXCEPTIONS_FILE)}   by package name and the licence it declares
  ${path.relative(ROOT, AUDIT_EXCEPTIONS_FILE)}     by advisory id (GHSA-...)
The audit needs the registry; when npm cannot reach it the check fails.`);
    return 0;
  }
  let failed = false;

  const licences = checkLicences(readInstalledLicences(), readExceptions(LICENCE_EXCEPTIONS_FILE));
  console.log(`licences: ${licences.checked} packages checked`);
  for (const [licence, count] of [...licences.byLicence].sort((a, b) => b[1] - a[1]))
    console.log(`  ${String(count).padStart(5)}  ${licence}`);
  for (const name of licences.unusedExceptions) console.warn(`licences: exception for ${name} no longer matches anything; remove it`);
  if (licences.problems.length > 0) {
    failed = true;
    console.error(`licences: ${licences.problems.length} package(s) refused:`);
    for (const pkg of licences.problems)
      console.error(`  ${pkg.name}@${pkg.version}  ${pkg.licence ?? '(no licence declared)'}  [${pkg.verdict}]  ${pkg.location}`);
  }

  try {
    const { stdout, stderr } = runNpmAudit();
    const audit = checkAudit(stdout, readExceptions(AUDIT_EXCEPTIONS_FILE), stderr);
    console.log(
      `audit: ${Object.entries(audit.counts)
        .map(([severity, count]) => `${count} ${severity}`)
        .join(', ')}; ${audit.excepted.length} high/critical excepted`,
    );
    if (audit.problems.length > 0) {
      failed = true;
      console.error(`audit: ${audit.problems.length} high/critical advisory(ies):`);
      for (const advisory of audit.problems)
        console.error(`  ${advisory.id}  ${advisory.severity}  ${advisory.package}: ${advisory.title}  ${advisory.url}`);
    }
  } catch (error) {
    failed = true;
    console.error(`audit: ${(error as Error).message}`);
  }
  return failed ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = main(process.argv.slice(2));
