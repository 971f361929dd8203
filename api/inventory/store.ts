import type pg from 'pg';

export interface Item {
  item_id: string;
  name: string;
  stock: number;
  reserved: number;
  initial_stock: number;
  restocked: number;
  updated_at: string;
}

export type ReserveOutcome =
  | { kind: 'reserved'; stock: number }
  | { kind: 'replayed'; quantity: number; itemId: string }
  | { kind: 'released-before' }
  | { kind: 'out-of-stock'; available: number }
  | { kind: 'unknown-item' };

export type RestockOutcome = { kind: 'restocked'; item: Item } | { kind: 'unknown-item' } | { kind: 'over-limit' };

export type ReleaseOutcome = { kind: 'released'; quantity: number } | { kind: 'already-released' } | { kind: 'tombstone' };

export interface AuditRow {
  item_id: string;
  stock: number;
  reserved: number;
  initial_stock: number;
  restocked: number;
  ledger_total: number;
  consistent: boolean;
}

const ITEM_COLUMNS = `i.item_id, i.name, i.stock, i.initial_stock, i.restocked, i.updated_at,
  COALESCE((SELECT SUM(r.quantity) FROM reservations r WHERE r.item_id = i.item_id AND r.status = 'RESERVED'), 0)::int AS reserved`;

/** Hooks around the commit point of a stock change, for fault injection (chaos mode, tests). */
export interface CommitHooks {
  beforeCommit?: () => Promise<void>;
}

export type InventoryStore = ReturnType<typeof createInventoryStore>;

export function createInventoryStore(pool: pg.Pool) {
  const inTransaction = async <T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  };

  return {
    async ping(): Promise<void> {
      await pool.query('SELECT 1');
    },

    async list(): Promise<Item[]> {
      const { rows } = await pool.query<Item>(`SELECT ${ITEM_COLUMNS} FROM items i ORDER BY i.item_id`);
      return rows;
    },

    async get(itemId: string): Promise<Item | undefined> {
      const { rows } = await pool.query<Item>(`SELECT ${ITEM_COLUMNS} FROM items i WHERE i.item_id = $1`, [itemId]);
      return rows[0];
    },

    /** Creates an item with its initial stock; an existing item is left as it is. */
    async createItem(itemId: string, name: string, initialStock: number): Promise<boolean> {
      return inTransaction(async (client) => {
        const inserted = await client.query(
          `INSERT INTO items (item_id, name, stock, initial_stock) VALUES ($1, $2, $3, $3)
           ON CONFLICT (item_id) DO NOTHING`,
          [itemId, name, initialStock],
        );
        if (inserted.rowCount === 0) return false;
        await client.query(`INSERT INTO stock_movements (item_id, delta, kind) VALUES ($1, $2, 'initial')`, [itemId, initialStock]);
        return true;
      });
    },

    /**
     * One transaction: claim the reservation id, then take the stock only where enough is left.
     * A reservation id that exists already changes nothing and answers as a replay.
     */
    async reserve(reservationId: string, itemId: string, quantity: number, hooks: CommitHooks = {}): Promise<ReserveOutcome> {
      return inTransaction<ReserveOutcome>(async (client) => {
        const claimed = await client.query(
          `INSERT INTO reservations (reservation_id, item_id, quantity, status) VALUES ($1, $2, $3, 'RESERVED')
           ON CONFLICT (reservation_id) DO NOTHING`,
          [reservationId, itemId, quantity],
        );
        if (claimed.rowCount === 0) {
          const { rows } = await client.query<{ status: string; quantity: number; item_id: string }>(
            'SELECT status, quantity, item_id FROM reservations WHERE reservation_id = $1',
            [reservationId],
          );
          const existing = rows[0]!;
          if (existing.status === 'RELEASED') return { kind: 'released-before' };
          return { kind: 'replayed', quantity: existing.quantity, itemId: existing.item_id };
        }
        const taken = await client.query<{ stock: number }>(
          `UPDATE items SET stock = stock - $2, updated_at = now() WHERE item_id = $1 AND stock >= $2 RETURNING stock`,
          [itemId, quantity],
        );
        if (taken.rowCount === 0) {
          const { rows } = await client.query<{ stock: number }>('SELECT stock FROM items WHERE item_id = $1', [itemId]);
          // Throwing rolls the claim back: a refused reservation leaves no trace.
          throw rows[0] ? new Refusal({ kind: 'out-of-stock', available: rows[0].stock }) : new Refusal({ kind: 'unknown-item' });
        }
        await client.query(`INSERT INTO stock_movements (item_id, delta, kind, reservation_id) VALUES ($1, $2, 'reserve', $3)`, [
          itemId,
          -quantity,
          reservationId,
        ]);
        await hooks.beforeCommit?.();
        return { kind: 'reserved', stock: taken.rows[0]!.stock };
      }).catch((err: unknown) => {
        if (err instanceof Refusal) return err.outcome;
        throw err;
      });
    },

    /** Gives a reservation's stock back once. Releasing an unknown id leaves a tombstone that blocks a late reserve. */
    async release(reservationId: string, itemId: string, hooks: CommitHooks = {}): Promise<ReleaseOutcome> {
      return inTransaction(async (client) => {
        const tombstone = await client.query(
          `INSERT INTO reservations (reservation_id, item_id, quantity, status, released_at)
           VALUES ($1, $2, 0, 'RELEASED', now()) ON CONFLICT (reservation_id) DO NOTHING`,
          [reservationId, itemId],
        );
        if (tombstone.rowCount === 1) return { kind: 'tombstone' } as const;
        const { rows } = await client.query<{ status: string; quantity: number; item_id: string }>(
          'SELECT status, quantity, item_id FROM reservations WHERE reservation_id = $1 FOR UPDATE',
          [reservationId],
        );
        const existing = rows[0]!;
        if (existing.status === 'RELEASED') return { kind: 'already-released' } as const;
        await client.query(`UPDATE reservations SET status = 'RELEASED', released_at = now() WHERE reservation_id = $1`, [reservationId]);
        await client.query('UPDATE items SET stock = stock + $2, updated_at = now() WHERE item_id = $1', [
          existing.item_id,
          existing.quantity,
        ]);
        await client.query(`INSERT INTO stock_movements (item_id, delta, kind, reservation_id) VALUES ($1, $2, 'release', $3)`, [
          existing.item_id,
          existing.quantity,
          reservationId,
        ]);
        await hooks.beforeCommit?.();
        return { kind: 'released', quantity: existing.quantity } as const;
      });
    },

    /** Adds stock, unless that would take the item over `maxStock`. */
    async restock(itemId: string, quantity: number, maxStock: number): Promise<RestockOutcome> {
      const outcome = await inTransaction(async (client): Promise<RestockOutcome['kind']> => {
        const result = await client.query<{ fits: boolean }>(
          `UPDATE items SET stock = stock + $2, restocked = restocked + $2, updated_at = now()
           WHERE item_id = $1 AND stock + $2 <= $3 RETURNING true AS fits`,
          [itemId, quantity, maxStock],
        );
        if (result.rowCount === 0) {
          const exists = await client.query('SELECT 1 FROM items WHERE item_id = $1', [itemId]);
          return exists.rowCount === 0 ? 'unknown-item' : 'over-limit';
        }
        await client.query(`INSERT INTO stock_movements (item_id, delta, kind) VALUES ($1, $2, 'restock')`, [itemId, quantity]);
        return 'restocked';
      });
      if (outcome !== 'restocked') return { kind: outcome };
      return { kind: 'restocked', item: (await this.get(itemId))! };
    },

    /** Per item: does stock + reserved equal initial + restocked, and does the ledger add up to the stock? */
    async audit(): Promise<AuditRow[]> {
      const { rows } = await pool.query<Omit<AuditRow, 'consistent'>>(
        `SELECT ${ITEM_COLUMNS},
           COALESCE((SELECT SUM(m.delta) FROM stock_movements m WHERE m.item_id = i.item_id), 0)::int AS ledger_total
         FROM items i ORDER BY i.item_id`,
      );
      return rows.map((row) => ({
        item_id: row.item_id,
        stock: row.stock,
        reserved: row.reserved,
        initial_stock: row.initial_stock,
        restocked: row.restocked,
        ledger_total: row.ledger_total,
        consistent: row.stock >= 0 && row.stock + row.reserved === row.initial_stock + row.restocked && row.ledger_total === row.stock,
      }));
    },
  };
}

class Refusal extends Error {
  constructor(readonly outcome: ReserveOutcome) {
    super(outcome.kind);
  }
}
