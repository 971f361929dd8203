import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadOrCreateLocalSecrets, splitLocalSecrets } from '../../infra/local-secrets';
import { DEV_SECRETS } from '../../shared/contract/environment';

const dirs: string[] = [];
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'valerix-secrets-'));
  dirs.push(dir);
  return dir;
};
// Nothing from this process' environment: only what a case passes.
const env = (values: Record<string, string> = {}) => values as NodeJS.ProcessEnv;
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe('local secrets', () => {
  it('makes random Postgres and Redis passwords once, keeps them (0600), and lets the environment win', () => {
    const dir = tempDir();
    const first = loadOrCreateLocalSecrets(dir, env());
    expect(first.created).toBe(true);
    expect((fs.statSync(first.file).mode & 0o777).toString(8)).toBe('600');
    const { infra } = splitLocalSecrets(first.secrets);
    const passwords = [infra.redisPassword, ...Object.values(infra.postgresPasswords)];
    expect(new Set(passwords).size).toBe(5);
    for (const password of passwords) expect(password).toMatch(/^[\w-]{32}$/);

    const again = loadOrCreateLocalSecrets(dir, env());
    expect(again).toMatchObject({ created: false, secrets: first.secrets });
    const fromEnv = loadOrCreateLocalSecrets(dir, env({ POSTGRES_APP_PASSWORD: 'chosen-in-dot-env' }));
    expect(splitLocalSecrets(fromEnv.secrets).infra.postgresPasswords.app).toBe('chosen-in-dot-env');
  });

  it('gives the services their own secrets and none of the infrastructure passwords', () => {
    const { services } = splitLocalSecrets(loadOrCreateLocalSecrets(tempDir(), env()).secrets);
    expect(Object.keys(services).sort()).toEqual(Object.keys(DEV_SECRETS).sort());
  });
});
