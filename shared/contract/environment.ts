import { z } from 'zod';

/**
 * The environment contract every process honours (the services, the worker, the dashboard's
 * server, the scripts): how a variable is read and checked, and the published development
 * secrets that no process accepts in production. Callers pass `process.env`.
 */
export type Environment = Readonly<Record<string, string | undefined>>;

/**
 * Parses the environment (`process.env`, passed in) against a schema once, at start-up. A bad
 * or missing variable stops the process with a message that names it, instead of failing later
 * somewhere else.
 */
export function loadConfig<Schema extends z.ZodType>(processName: string, schema: Schema, env: Environment): z.infer<Schema> {
  const result = schema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `  ${issue.path.join('.') || '(env)'}: ${issue.message}`);
    throw new Error(`${processName}: invalid configuration\n${problems.join('\n')}\n(see .env.example)`);
  }
  return result.data;
}

export const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
export const milliseconds = (fallback: number) => z.coerce.number().int().positive().default(fallback);
export const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info');
export const databaseUrl = (fallback: string) => z.string().url().default(fallback);

/**
 * Published fallbacks, so that one service started by hand on a laptop works. `npm start`
 * replaces them with random secrets of its own (infra/local-secrets.ts), and outside
 * development they refuse to start.
 */
export const DEV_SECRETS = {
  ADMIN_TOKEN: 'valerix-local-admin',
  INVENTORY_SERVICE_TOKEN: 'valerix-local-service',
  /** The dashboard's login password (one operator account). */
  DASHBOARD_PASSWORD: 'valerix-local-dashboard',
  /** Signs the dashboard's session cookie. */
  SESSION_SECRET: 'valerix-local-session-secret',
} as const;

export type SecretName = keyof typeof DEV_SECRETS;

export const secret = (name: SecretName) => z.string().min(16, 'use at least 16 characters').default(DEV_SECRETS[name]);

/**
 * Refuses published fallbacks unless NODE_ENV is development or test (or unset, as on a
 * laptop); returns the names of those in use, for a start-up warning.
 */
export function checkSecrets(processName: string, values: Partial<Record<SecretName, string>>, env: Environment): SecretName[] {
  const published = (Object.keys(values) as SecretName[]).filter((name) => values[name] === DEV_SECRETS[name]);
  const development = env.NODE_ENV === undefined || env.NODE_ENV === 'development' || env.NODE_ENV === 'test';
  if (published.length > 0 && !development) {
    throw new Error(
      `${processName}: ${published.join(', ')} still set to the published development value; set a secret of your own (NODE_ENV=${env.NODE_ENV})`,
    );
  }
  return published;
}
