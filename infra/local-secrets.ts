import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { DEV_SECRETS, type SecretName } from '../shared/secrets';

/** The services' secrets, plus Redis' password (the stack starts Redis with it). */
const LOCAL_SECRET_NAMES = [...(Object.keys(DEV_SECRETS) as SecretName[]), 'REDIS_PASSWORD'] as const;
export type LocalSecrets = Record<(typeof LOCAL_SECRET_NAMES)[number], string>;

/**
 * The stack's own secrets: random on first run, kept in <data dir>/secrets.json (mode 0600) so
 * a restart keeps them; a value set in the environment (.env) wins.
 */
export function loadOrCreateLocalSecrets(dataDir: string, env: NodeJS.ProcessEnv = process.env): { secrets: LocalSecrets; file: string; created: boolean } {
  const file = path.join(dataDir, 'secrets.json');
  const stored: Partial<LocalSecrets> = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<LocalSecrets>) : {};
  const secrets = {} as LocalSecrets;
  let created = false;
  for (const name of LOCAL_SECRET_NAMES) {
    const fromEnv = env[name];
    if (fromEnv) secrets[name] = fromEnv;
    else if (stored[name]) secrets[name] = stored[name];
    else {
      secrets[name] = randomBytes(24).toString('base64url');
      created = true;
    }
  }
  if (created) {
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(file, `${JSON.stringify({ ...stored, ...secrets }, null, 2)}\n`, { mode: 0o600 });
  }
  return { secrets, file, created };
}
