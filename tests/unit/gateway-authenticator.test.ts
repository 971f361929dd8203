import type { FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { createAuthenticator } from '../../api/gateway/clients/authenticate';
import { ADMIN_TOKEN_CALLER, generateApiKey, hashApiKey, type Caller } from '../../api/gateway/clients/keys';
import { HttpProblem } from '../../api/http/problem';

const ADMIN_TOKEN = 'unit-admin-token-0123456789';
const request = (authorization?: string) => ({ headers: authorization === undefined ? {} : { authorization } }) as FastifyRequest;

/** The key store isolated: a map from key to caller, counting lookups. */
function fakeClients(known: Record<string, Caller>) {
  const lookups: string[] = [];
  return {
    lookups,
    clients: {
      callerForKey: async (key: string) => {
        lookups.push(key);
        return known[key];
      },
    },
  };
}

describe('gateway authenticator', () => {
  it('resolves an API key to its client and sets request.caller', async () => {
    const key = generateApiKey();
    const { clients } = fakeClients({ [key]: { id: 'cli_1', role: 'client' } });
    const authenticate = createAuthenticator({ clients, adminToken: ADMIN_TOKEN });
    const req = request(`Bearer ${key}`);
    expect(await authenticate(req)).toEqual({ id: 'cli_1', role: 'client' });
    expect(req.caller).toEqual({ id: 'cli_1', role: 'client' });
  });

  it('takes the ADMIN_TOKEN as the admin without asking the store', async () => {
    const { clients, lookups } = fakeClients({});
    const authenticate = createAuthenticator({ clients, adminToken: ADMIN_TOKEN });
    expect(await authenticate(request(`Bearer ${ADMIN_TOKEN}`))).toEqual(ADMIN_TOKEN_CALLER);
    expect(lookups).toEqual([]);
  });

  it.each([[undefined], ['Bearer'], ['Basic Zm9vOmJhcg=='], ['Bearer unknown-key'], [`Bearer ${ADMIN_TOKEN}x`]])(
    'refuses %s with 401',
    async (header) => {
      const authenticate = createAuthenticator({ clients: fakeClients({}).clients, adminToken: ADMIN_TOKEN });
      const refusal = await authenticate(request(header)).catch((err: unknown) => err);
      expect(refusal).toBeInstanceOf(HttpProblem);
      expect((refusal as HttpProblem).status).toBe(401);
    },
  );

  it('asks the store once per key within the cache lifetime, and again after it (a revocation takes effect)', async () => {
    const key = generateApiKey();
    const known: Record<string, Caller> = { [key]: { id: 'cli_1', role: 'client' } };
    const { clients, lookups } = fakeClients(known);
    const authenticate = createAuthenticator({ clients, adminToken: ADMIN_TOKEN, cacheTtlMs: 50 });
    for (let i = 0; i < 5; i += 1) await authenticate(request(`Bearer ${key}`));
    expect(lookups).toHaveLength(1);
    delete known[key];
    await new Promise((resolve) => setTimeout(resolve, 60));
    await expect(authenticate(request(`Bearer ${key}`))).rejects.toBeInstanceOf(HttpProblem);
    expect(lookups).toHaveLength(2);
  });

  it('makes keys of 256 random bits and stores a SHA-256 hex digest of them', () => {
    const a = generateApiKey();
    expect(a).toMatch(/^vxk_[A-Za-z0-9_-]{43}$/);
    expect(generateApiKey()).not.toBe(a);
    expect(hashApiKey(a)).toMatch(/^[0-9a-f]{64}$/);
  });
});
