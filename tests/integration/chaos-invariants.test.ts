import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { checkInvariants, type InvariantResult } from '../../chaos/invariants';
import { MIGRATION_DIRS, applyMigrations } from '../../infra/migrate';
import { ensureDatabases, postgresUrl, type PgRole } from '../../infra/postgres';
import { ORDER_EVENTS_STREAM } from '../../shared/contract/orders';
import { temporalConnectOptions } from '../../shared/temporal-connection';

/** The chaos proof is only worth something if each invariant can fail: seed a small consistent world, break it one way at a time. */
const infra = inject('infra');
// The owner, not the app role: each case starts by truncating.
const urlOf = (database: string, role: PgRole = 'owner') => postgresUrl(infra.postgres, role, database);
const suffix = Date.now();
let ordersDb: pg.Pool;
let inventoryDb: pg.Pool;
let redis: Redis;
let connection: Connection;

beforeAll(async () => {
  await ensureDatabases(urlOf('postgres', 'superuser'), [`orders_inv_${suffix}`, `inventory_inv_${suffix}`]);
  await applyMigrations(urlOf(`orders_inv_${suffix}`), path.join(infra.root, MIGRATION_DIRS.orders));
  await applyMigrations(urlOf(`inventory_inv_${suffix}`), path.join(infra.root, MIGRATION_DIRS.inventory));
  ordersDb = new pg.Pool({ connectionString: urlOf(`orders_inv_${suffix}`) });
  inventoryDb = new pg.Pool({ connectionString: urlOf(`inventory_inv_${suffix}`) });
  redis = new Redis(infra.redisUrl, { db: 7 });
  connection = await Connection.connect(temporalConnectOptions(infra.temporal));
});

afterAll(async () => {
  await Promise.allSettled([ordersDb.end(), inventoryDb.end(), redis.quit(), connection.close()]);
});

/** One CONFIRMED order (1 line of 2 units), one FAILED order (released), stock 10 → 8, and their events. */
beforeEach(async () => {
  await ordersDb.query('TRUNCATE orders, order_lines, idempotency_keys CASCADE');
  await inventoryDb.query('TRUNCATE items, reservations, stock_movements');
  await redis.del(ORDER_EVENTS_STREAM);
  await ordersDb.query(`INSERT INTO orders (id, status, version, created_at, updated_at) VALUES
    ('ord_ok', 'CONFIRMED', 2, now(), now()), ('ord_failed', 'FAILED', 4, now(), now())`);
  await ordersDb.query(`INSERT INTO order_lines (order_id, line_no, item_id, quantity, reservation_id, status) VALUES
    ('ord_ok', 1, 'widget', 2, 'ord_ok:1', 'RESERVED'), ('ord_failed', 1, 'widget', 1, 'ord_failed:1', 'RELEASED')`);
  await inventoryDb.query(`INSERT INTO items (item_id, name, stock, initial_stock) VALUES ('widget', 'Widget', 8, 10)`);
  await inventoryDb.query(`INSERT INTO reservations (reservation_id, item_id, quantity, status) VALUES
    ('ord_ok:1', 'widget', 2, 'RESERVED'), ('ord_failed:1', 'widget', 1, 'RELEASED')`);
  await inventoryDb.query(`INSERT INTO stock_movements (item_id, delta, kind, reservation_id) VALUES
    ('widget', 10, 'initial', NULL), ('widget', -2, 'reserve', 'ord_ok:1'),
    ('widget', -1, 'reserve', 'ord_failed:1'), ('widget', 1, 'release', 'ord_failed:1')`);
  const events: [string, number, string][] = [
    ['ord_ok', 1, 'PENDING'],
    ['ord_ok', 2, 'CONFIRMED'],
    ['ord_failed', 1, 'PENDING'],
    ['ord_failed', 2, 'COMPENSATING'],
    ['ord_failed', 3, 'COMPENSATING'],
    ['ord_failed', 4, 'FAILED'],
  ];
  for (const [orderId, version, status] of events) {
    await redis.xadd(ORDER_EVENTS_STREAM, '*', 'data', JSON.stringify({ eventId: `${orderId}:${version}`, orderId, version, status }));
  }
});

const check = (acknowledged = new Map<string, string>()) =>
  checkInvariants({
    acknowledged,
    ordersDb,
    inventoryDb,
    redis,
    temporal: new Client({ connection }),
    settledWithinMs: 1000,
    settleLimitMs: 5000,
  });
const failing = (results: InvariantResult[]) => results.filter((row) => !row.ok).map((row) => row.name);

describe('chaos invariants', () => {
  it('all hold on a consistent world', async () => {
    expect(failing(await check())).toEqual([]);
  });

  it('catch a reservation applied twice (and the stock it wrongly took)', async () => {
    await inventoryDb.query(
      `INSERT INTO stock_movements (item_id, delta, kind, reservation_id) VALUES ('widget', -2, 'reserve', 'ord_ok:1')`,
    );
    await inventoryDb.query(`UPDATE items SET stock = 6`);
    expect(failing(await check())).toEqual([
      'no reservation id applied twice',
      'initial + restocked = stock + reserved (not released), per item',
    ]);
  });

  it('catch a CONFIRMED order whose stock was given back', async () => {
    await inventoryDb.query(`UPDATE reservations SET status = 'RELEASED' WHERE reservation_id = 'ord_ok:1'`);
    await inventoryDb.query(`UPDATE items SET stock = 10`);
    expect(failing(await check())).toEqual(['CONFIRMED orders have every line reserved; FAILED/CANCELLED have every line released']);
  });

  it('catch a stock level that dipped below zero in the ledger', async () => {
    await inventoryDb.query(`UPDATE stock_movements SET id = id + 100 WHERE kind = 'initial'`);
    expect(failing(await check())).toEqual(['stock never below zero (now, and at every step of the ledger)']);
  });

  it('catch a final transition missing from the stream', async () => {
    const entries = (await redis.xrange(ORDER_EVENTS_STREAM, '-', '+')) as [string, string[]][];
    await redis.xdel(ORDER_EVENTS_STREAM, entries.at(-1)![0]);
    expect(failing(await check())).toEqual(["each order's de-duplicated stream events match its final status"]);
  });

  it('catch an acknowledged order with no workflow and an order that never settled', async () => {
    await ordersDb.query(`UPDATE orders SET status = 'PENDING' WHERE id = 'ord_ok'`);
    await ordersDb.query(`INSERT INTO idempotency_keys (client_id, key, order_id, request_hash) VALUES ('cli_chaos', 'k1', 'ord_ok', 'h')`);
    const results = await check(new Map([['k1', 'ord_ok']]));
    expect(failing(results)).toEqual(
      expect.arrayContaining([
        'every acknowledged order exists exactly once (1 workflow, 1 row)',
        'every order terminal within 5 s of the last fault',
      ]),
    );
  });
});
