import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { DEV_SECRETS, type SecretName } from '../shared/contract/environment';
import type { PostgresPasswords } from './postgres';

/** Passwords the stack starts Redis and Postgres' roles with; the services get none of them. */
const INFRA_SECRET_NAMES = [
  'REDIS_PASSWORD',
  'POSTGRES_SUPERUSER_PASSWORD',
  'POSTGRES_OWNER_PASSWORD',
  'POSTGRES_APP_PASSWORD',
  'POSTGRES_TEMPORAL_PASSWORD',
] as const;
/** Kept for the stack itself: the gateway client `dev` is registered with this key. */
const STACK_SECRET_NAMES = ['CLIENT_API_KEY'] as const;
const LOCAL_SECRET_NAMES = [...(Object.keys(DEV_SECRETS) as SecretName[]), ...INFRA_SECRET_NAMES, ...STACK_SECRET_NAMES] as const;
export type LocalSecrets = Record<(typeof LOCAL_SECRET_NAMES)[number], string>;

/** The secrets split by who takes them: startInfrastructure's options, the services' env, and the stack. */
export function splitLocalSecrets(secrets: LocalSecrets): {
  infra: { redisPassword: string; postgresPasswords: PostgresPasswords };
  services: Record<SecretName, string>;
  clientApiKey: string;
} {
  const {
    REDIS_PASSWORD,
    POSTGRES_SUPERUSER_PASSWORD,
    POSTGRES_OWNER_PASSWORD,
    POSTGRES_APP_PASSWORD,
    POSTGRES_TEMPORAL_PASSWORD,
    CLIENT_API_KEY,
    ...services
  } = secrets;
  return {
    clientApiKey: CLIENT_API_KEY,
    infra: {
      redisPassword: REDIS_PASSWORD,
      postgresPasswords: {
        superuser: POSTGRES_SUPERUSER_PASSWORD,
        owner: POSTGRES_OWNER_PASSWORD,
        app: POSTGRES_APP_PASSWORD,
        temporal: POSTGRES_TEMPORAL_PASSWORD,
      },
    },
    services,
  };
}

/**
 * The stack's own secrets: random on first run, kept in <data dir>/secrets.json (mode 0600) so
 * a restart keeps them; a value set in the environment (.env) wins.
 */
export function loadOrCreateLocalSecrets(
  dataDir: string,
  env: NodeJS.ProcessEnv = process.env,
): { secrets: LocalSecrets; file: string; created: boolean } {
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
