import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/orders-client/client';

export type OrdersDb = PrismaClient;

/** Prisma Client over node-postgres: no native query engine needed. */
export function createOrdersDb(databaseUrl: string, maxConnections = 10): OrdersDb {
  const adapter = new PrismaPg({ connectionString: databaseUrl, max: maxConnections });
  return new PrismaClient({ adapter });
}
