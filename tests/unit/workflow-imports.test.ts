import fs from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BUILTINS = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));

/** Every file the workflow bundle pulls in from this repo, following relative imports from workflows/. */
function workflowSources(): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const [, specifier] of fs.readFileSync(file, 'utf8').matchAll(/^import\s+(?!type\b)[^'"]*['"]([^'"]+)['"]/gm)) {
      if (!specifier!.startsWith('.')) continue;
      const resolved = path.resolve(path.dirname(file), specifier!);
      visit(fs.existsSync(`${resolved}.ts`) ? `${resolved}.ts` : path.join(resolved, 'index.ts'));
    }
  };
  for (const name of fs.readdirSync(path.join(ROOT, 'workflows'))) if (name.endsWith('.ts')) visit(path.join(ROOT, 'workflows', name));
  return [...seen];
}

describe('workflow code stays deterministic', () => {
  const sources = workflowSources();

  it('follows the imports from workflows/ into the shared contract', () => {
    expect(sources.map((file) => path.relative(ROOT, file))).toEqual(expect.arrayContaining(['workflows/order.workflow.ts', 'shared/orders.ts']));
  });

  it('imports no Node built-ins, directly or through what it imports', () => {
    const offenders = sources.flatMap((file) =>
      [...fs.readFileSync(file, 'utf8').matchAll(/^import\s+(?!type\b)[^'"]*['"]([^'"]+)['"]/gm)]
        .map(([, specifier]) => specifier!)
        .filter((specifier) => BUILTINS.has(specifier))
        .map((specifier) => `${path.relative(ROOT, file)} imports ${specifier}`),
    );
    expect(offenders).toEqual([]);
  });
});
