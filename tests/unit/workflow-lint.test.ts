import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/**
 * Temporal's determinism rules are lint rules (eslint.config.js), run by `npm test` over the
 * tree. These cases prove the rules fire where workflow code lives, and only there.
 */
const eslint = new ESLint({ cwd: path.resolve(import.meta.dirname, '../..') });

async function problemsIn(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.map((message) => message.ruleId ?? message.message);
}

describe('workflow determinism (lint rules)', () => {
  it('refuses Node built-ins and other packages in workflows/, type-only imports aside', async () => {
    expect(await problemsIn('workflows/probe.ts', "import fs from 'node:fs';\nexport const size = fs.statSync('.').size;\n")).toContain(
      '@typescript-eslint/no-restricted-imports',
    );
    expect(await problemsIn('workflows/probe.ts', "import { Redis } from 'ioredis';\nexport const r = new Redis();\n")).toContain(
      '@typescript-eslint/no-restricted-imports',
    );
    expect(await problemsIn('workflows/probe.ts', "import { x } from '../api/gateway/app';\nexport const y = x;\n")).toContain(
      '@typescript-eslint/no-restricted-imports',
    );
    expect(
      await problemsIn('workflows/probe.ts', "import type { OrderMetrics } from '../activities';\nexport type M = OrderMetrics;\n"),
    ).toEqual([]);
  });

  it('allows the workflow API and our deterministic contract', async () => {
    const code = [
      "import { sleep } from '@temporalio/workflow';",
      "import { TASK_QUEUE } from '../shared/order-workflow';",
      "import { isTerminal } from '../shared/contract/orders';",
      'export const run = async () => (await sleep(1), [TASK_QUEUE, isTerminal]);',
      '',
    ].join('\n');
    expect(await problemsIn('workflows/probe.ts', code)).toEqual([]);
  });

  it("refuses Node's globals in workflow code and in what it imports", async () => {
    expect(await problemsIn('workflows/probe.ts', 'export const env = process.env.X;\n')).toContain('no-restricted-globals');
    expect(await problemsIn('shared/contract/probe.ts', "export const b = Buffer.from('x');\n")).toContain('no-restricted-globals');
    expect(await problemsIn('shared/contract/probe.ts', "import os from 'node:os';\nexport const h = os.hostname();\n")).toContain(
      '@typescript-eslint/no-restricted-imports',
    );
  });

  it('leaves activities free to use Node', async () => {
    expect(
      await problemsIn('activities/probe.ts', "import fs from 'node:fs';\nexport const env = process.env.X ?? fs.existsSync('.');\n"),
    ).toEqual([]);
  });
});
