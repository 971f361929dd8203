import { z } from 'zod';

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
export function checkSecrets(
  processName: string,
  values: Partial<Record<SecretName, string>>,
  env: NodeJS.ProcessEnv = process.env,
): SecretName[] {
  const published = (Object.keys(values) as SecretName[]).filter((name) => values[name] === DEV_SECRETS[name]);
  const development = env.NODE_ENV === undefined || env.NODE_ENV === 'development' || env.NODE_ENV === 'test';
  if (published.length > 0 && !development) {
    throw new Error(
      `${processName}: ${published.join(', ')} still set to the published development value; set a secret of your own (NODE_ENV=${env.NODE_ENV})`,
    );
  }
  return published;
}
