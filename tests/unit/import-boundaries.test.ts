import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/** Which room may import which: the rules README's Folders table states. */
const ROOT = path.resolve(import.meta.dirname, '../..');
const SOURCES = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.ts', '*.tsx'], {
  cwd: ROOT,
  encoding: 'utf8',
})
  .split('\n')
  .filter((file) => file && fs.existsSync(path.join(ROOT, file)));

interface Import {
  file: string;
  specifier: string;
  /** Repository-relative target of a relative import; undefined for a package. */
  target?: string;
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'([^']+)'|import\('([^']+)'\)/g;

function importsOf(file: string): Import[] {
  const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
  return [...text.matchAll(IMPORT)].map((match) => {
    const specifier = (match[1] ?? match[2])!;
    const target = specifier.startsWith('.') ? path.relative(ROOT, path.resolve(ROOT, path.dirname(file), specifier)) : undefined;
    return { file, specifier, target };
  });
}

const under = (folder: string) => (file: string) => file.startsWith(`${folder}/`);
const importsIn = (folder: string) => SOURCES.filter(under(folder)).flatMap(importsOf);
const describeAll = (found: Import[]) => found.map(({ file, specifier }) => `${file} imports ${specifier}`);

describe('import boundaries', () => {
  it('finds the rooms it guards (the scan itself works)', () => {
    expect(importsIn('web').length).toBeGreaterThan(50);
    expect(importsIn('workers').some((entry) => entry.target?.startsWith('activities'))).toBe(true);
  });

  it('keeps workers, activities and workflows out of api/', () => {
    const found = ['workers', 'activities', 'workflows'].flatMap(importsIn).filter((entry) => entry.target && under('api')(entry.target));
    expect(describeAll(found)).toEqual([]);
  });

  it('lets web/ import nothing outside web/ but the contract', () => {
    const allowed = (target: string) => under('web')(target) || under('shared/contract')(target);
    const found = importsIn('web').filter((entry) => entry.target && !allowed(entry.target));
    expect(describeAll(found)).toEqual([]);
  });

  it('keeps the contract browser-safe: only itself, TypeBox and zod', () => {
    const found = importsIn('shared/contract').filter((entry) =>
      entry.target ? !under('shared/contract')(entry.target) : !['@sinclair/typebox', 'zod'].includes(entry.specifier),
    );
    expect(describeAll(found)).toEqual([]);
  });
});
