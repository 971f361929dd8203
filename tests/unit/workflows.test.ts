import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// The GitHub workflows (.github/workflows) and the local action they share (.github/actions),
// linted with actionlint (built into .tools/bin by scripts/provision/ci-tools.sh), plus the
// project's own rules: pinned actions, least privilege, and CI running the README's test command.
const ROOT = path.resolve(import.meta.dirname, '../..');
const WORKFLOWS_DIR = path.join(ROOT, '.github/workflows');
const ACTIONS_DIR = path.join(ROOT, '.github/actions');
const ACTIONLINT = process.env.ACTIONLINT_PATH ?? path.join(ROOT, '.tools/bin/actionlint');

const workflowFiles = () =>
  fs
    .readdirSync(WORKFLOWS_DIR)
    .filter((name) => /\.ya?ml$/.test(name))
    .map((name) => path.join(WORKFLOWS_DIR, name));
const actionFiles = () =>
  fs.existsSync(ACTIONS_DIR)
    ? fs
        .readdirSync(ACTIONS_DIR, { recursive: true, encoding: 'utf8' })
        .filter((name) => /(^|\/)action\.ya?ml$/.test(name))
        .map((name) => path.join(ACTIONS_DIR, name))
    : [];
const read = (file: string) => fs.readFileSync(file, 'utf8');

/**
 * shellcheck and pyflakes integration is off so the result does not depend on what the machine
 * has installed (GitHub's runners have shellcheck, a fresh Debian machine has not).
 */
function actionlint(cwd: string) {
  if (!fs.existsSync(ACTIONLINT)) {
    throw new Error(
      `actionlint not found at ${ACTIONLINT}: run scripts/provision.sh --for-tests (or scripts/provision/ci-tools.sh), or set ACTIONLINT_PATH`,
    );
  }
  const result = spawnSync(ACTIONLINT, ['-no-color', '-oneline', '-shellcheck=', '-pyflakes='], { cwd, encoding: 'utf8' });
  if (result.error) throw result.error;
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

/** The lines of a top-level job in a workflow: from `  <job>:` to the next job. */
function jobBlock(workflow: string, job: string): string {
  const lines = workflow.split('\n');
  const start = lines.indexOf(`  ${job}:`);
  if (start < 0) return '';
  const end = lines.findIndex((line, index) => index > start && /^ {2}\S/.test(line));
  return lines.slice(start, end < 0 ? undefined : end).join('\n');
}

/** The commands of every `run:` step in a block, one-line and `run: |` forms, one per line. */
function runCommands(block: string): string[] {
  const commands: string[] = [];
  const lines = block.split('\n');
  lines.forEach((line, index) => {
    const match = /^(\s*)(?:- )?run:\s*(.*)$/.exec(line);
    if (!match) return;
    if (match[2] && match[2] !== '|') {
      commands.push(match[2].trim());
      return;
    }
    const indent = (match[1] ?? '').length;
    for (const next of lines.slice(index + 1)) {
      if (next.trim() !== '' && next.length - next.trimStart().length <= indent) break;
      if (next.trim() !== '') commands.push(next.trim());
    }
  });
  return commands;
}

describe('GitHub workflows', () => {
  it('has the CI and CD workflows', () => {
    expect(
      workflowFiles()
        .map((file) => path.basename(file))
        .sort(),
    ).toEqual(['cd.yml', 'ci.yml']);
  });

  it('passes actionlint with no findings', () => {
    const { code, output } = actionlint(ROOT);
    expect(output.trim(), output).toBe('');
    expect(code, output).toBe(0);
  });

  it('actionlint reports a broken workflow (the check can fail)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'valerix-actionlint-'));
    try {
      // actionlint finds its project through the git repository.
      const init = spawnSync('git', ['init', '-q'], { cwd: dir, encoding: 'utf8' });
      expect(init.status, init.stderr).toBe(0);
      fs.mkdirSync(path.join(dir, '.github/workflows'), { recursive: true });
      fs.writeFileSync(
        path.join(dir, '.github/workflows/broken.yml'),
        ['on: push', 'jobs:', '  test:', '    steps:', '      - run: echo ${{ github.nope }}', '      - uses: actions/checkout', ''].join(
          '\n',
        ),
      );
      const { code, output } = actionlint(dir);
      expect(code, output).toBe(1);
      expect(output).toContain('"runs-on" section is missing in job "test"');
      expect(output).toContain('property "nope" is not defined');
      expect(output).toMatch(/actions\/checkout".*ref is missing/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('pins every action: local, or a full commit SHA with its version in a comment, or at least a version tag', () => {
    const refs = [...workflowFiles(), ...actionFiles()].flatMap((file) =>
      [...read(file).matchAll(/^\s*(?:- )?uses:\s*(\S+)(.*)$/gm)].map((match) => ({
        file: path.relative(ROOT, file),
        ref: match[1] ?? '',
        comment: (match[2] ?? '').trim(),
      })),
    );
    expect(refs.length).toBeGreaterThan(5);
    const unpinned = refs.filter(({ ref, comment }) => {
      if (ref.startsWith('./')) return false;
      const version = /@(.+)$/.exec(ref)?.[1];
      if (!version) return true;
      if (/^[0-9a-f]{40}$/.test(version)) return !/^# v\d+(\.\d+)*$/.test(comment);
      return !/^v\d+(\.\d+)*$/.test(version);
    });
    expect(unpinned).toEqual([]);
  });

  it.each(['ci.yml', 'cd.yml'])('%s sets permissions at the top level, read-only contents', (name) => {
    expect(read(path.join(WORKFLOWS_DIR, name))).toMatch(/^permissions:\n {2}contents: read\n/m);
  });

  it('CI runs on push and pull_request; its test job runs the README test command', () => {
    const ci = read(path.join(WORKFLOWS_DIR, 'ci.yml'));
    const on = ci.slice(ci.indexOf('\non:\n'), ci.indexOf('\npermissions:'));
    expect(on).toMatch(/^ {2}push:/m);
    expect(on).toMatch(/^ {2}pull_request:/m);
    expect(read(path.join(ROOT, 'README.md'))).toMatch(/^npm test\s/m);
    const test = jobBlock(ci, 'test');
    expect(test).toMatch(/timeout-minutes: \d+/);
    expect(runCommands(test).some((command) => /^npm test(\s|$)/.test(command))).toBe(true);
    expect(runCommands(jobBlock(ci, 'replay'))).toContain('npm run test:workflow');
    expect(runCommands(jobBlock(ci, 'deploy-suite')).some((command) => command.startsWith('npm run test:deploy'))).toBe(true);
  });

  it('CD deploys the image it builds to every service k8s names, and no secret value is written in the YAML', () => {
    const cd = read(path.join(WORKFLOWS_DIR, 'cd.yml'));
    const services = /^ {2}SERVICES: (.+)$/m.exec(cd)?.[1]?.split(' ');
    const built = /^ {10}images: (.+)$/m.exec(cd)?.[1];
    expect(services).toBeDefined();
    expect(built).toBe('ghcr.io/${{ github.repository_owner }}/valerix');
    expect(cd).toContain('kustomize edit set image "valerix-$service=ghcr.io/$owner/valerix:$GITHUB_REF_NAME"');
    // Every image name the prod overlay maps is one CD sets.
    const overlay = read(path.join(ROOT, 'k8s/overlays/prod/kustomization.yaml'));
    const images = overlay.slice(overlay.indexOf('\nimages:\n')).split(/\n(?=\S)/)[1] ?? '';
    const named = [...images.matchAll(/^ {2}- name: valerix-(\w+)$/gm)].map((match) => match[1]);
    expect(named.sort()).toEqual([...services!].sort());
    expect(jobBlock(cd, 'deploy')).toMatch(/^ {4}environment: production$/m);
    for (const file of [...workflowFiles(), ...actionFiles()]) {
      for (const match of read(file).matchAll(/^\s*[\w-]*(?:password|token|kubeconfig|secret)[\w-]*:\s*(.+)$/gim)) {
        expect(match[1], `${path.relative(ROOT, file)}: ${match[0].trim()}`).toMatch(/^\$\{\{ secrets\.[A-Z_]+ \}\}$/);
      }
    }
  });
});
