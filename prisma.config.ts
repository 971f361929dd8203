import { defineConfig } from 'prisma/config';

// Used by the Prisma CLI only (generate; migrate deploy where the schema engine is available).
// Migrations run as the databases' owner (valerix_owner), never as the services' app role.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.ORDERS_DATABASE_URL ?? 'postgresql://valerix_owner@127.0.0.1:5432/orders' },
});
