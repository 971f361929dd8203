import type { OrdersDb } from '../../../shared/orders-db';
import { generateApiKey, generateClientId, hashApiKey, type Caller, type ClientRole } from './keys';

export interface ClientRecord {
  id: string;
  name: string;
  role: ClientRole;
  createdAt: Date;
  revokedAt: Date | null;
}

class ClientNameTaken extends Error {}

/** Gateway clients in the orders database; keys are kept only as hashes. */
export function createClientStore(db: OrdersDb) {
  const toRecord = (row: { id: string; name: string; role: string; createdAt: Date; revokedAt: Date | null }): ClientRecord => ({
    ...row,
    role: row.role as ClientRole,
  });

  return {
    /** A new client and its key; the key is shown this once and never stored. */
    async create(name: string, role: ClientRole, key = generateApiKey()): Promise<{ client: ClientRecord; key: string }> {
      const existing = await db.apiClient.findUnique({ where: { name } });
      if (existing) throw new ClientNameTaken(`a client named '${name}' exists (${existing.id})`);
      const row = await db.apiClient.create({ data: { id: generateClientId(), name, role, keyHash: hashApiKey(key) } });
      return { client: toRecord(row), key };
    },

    /** Makes sure a client `name` exists whose key is `key` (npm start's dev client); returns its id. */
    async ensure(name: string, role: ClientRole, key: string): Promise<string> {
      const keyHash = hashApiKey(key);
      const row = await db.apiClient.upsert({
        where: { name },
        create: { id: generateClientId(), name, role, keyHash },
        update: { role, keyHash, revokedAt: null },
      });
      return row.id;
    },

    /** The caller a key belongs to; undefined for an unknown or revoked key. */
    async callerForKey(key: string): Promise<Caller | undefined> {
      const row = await db.apiClient.findUnique({ where: { keyHash: hashApiKey(key) } });
      if (!row || row.revokedAt) return undefined;
      return { id: row.id, role: row.role as ClientRole };
    },

    async list(): Promise<ClientRecord[]> {
      return (await db.apiClient.findMany({ orderBy: { createdAt: 'asc' } })).map(toRecord);
    },

    /** Revokes by id or name; false when there is no such client. */
    async revoke(idOrName: string): Promise<boolean> {
      const { count } = await db.apiClient.updateMany({
        where: { OR: [{ id: idOrName }, { name: idOrName }], revokedAt: null },
        data: { revokedAt: new Date() },
      });
      return count > 0;
    },
  };
}

export type ClientStore = ReturnType<typeof createClientStore>;
