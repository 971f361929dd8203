import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from '../generated/orders-client/client';

export type OrdersDb = PrismaClient;

/**
 * Prisma Client over node-postgres: no native query engine needed. The pool is ours so that a
 * Postgres restart (an idle connection dropping) is logged instead of crashing the process.
 */
export function createOrdersDb(databaseUrl: string, maxConnections = 10, onIdleError: (err: Error) => void = () => undefined): OrdersDb {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: maxConnections });
  pool.on('error', onIdleError);
  return new PrismaClient({ adapter: new PrismaPg(pool) });
}
