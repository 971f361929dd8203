import { createHash, randomBytes } from 'node:crypto';

export const CLIENT_ROLES = ['client', 'admin'] as const;
export type ClientRole = (typeof CLIENT_ROLES)[number];

/** Who is calling the gateway: a client sees its own orders, an admin every order. */
export interface Caller {
  id: string;
  role: ClientRole;
}

/** The deployment's ADMIN_TOKEN authenticates as this caller (the dashboard uses it). */
export const ADMIN_TOKEN_CALLER: Caller = { id: 'admin', role: 'admin' };

/** The operator view's load generator places its orders as this client (no key: it runs inside the gateway). */
export const LOAD_GENERATOR_CALLER: Caller = { id: 'load-generator', role: 'client' };

const KEY_PREFIX = 'vxk_';

/** 256 random bits: too many to guess, so a fast hash is enough to store them (see README, Security). */
export function generateApiKey(): string {
  return `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function generateClientId(): string {
  return `cli_${randomBytes(8).toString('hex')}`;
}

export const CLIENT_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,62}$/;
