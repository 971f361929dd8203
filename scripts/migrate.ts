/**
 * `npm run migrate`, and the image's `migrate` command (the docker-compose one-shot, a Kubernetes
 * Job): applies the committed migrations to the orders and inventory databases as their owner
 * role, then, when asked, seeds the demo inventory (existing items keep their stock). The
 * databases and roles must exist: `npm start` makes them, docker-compose's Postgres init script
 * (deploy/compose/postgres-init/) makes them, elsewhere your DBA does. Idempotent.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { z } from 'zod';
import { seedDemoInventory } from '../api/inventory/seed';
import { createInventoryStore } from '../api/inventory/store';
import { MIGRATION_DIRS, applyMigrations } from '../infra/migrate';
import { databaseUrl, loadConfig } from '../shared/contract/environment';

// The source tree and the image (dist/migrate.mjs) both sit one level below the root.
const ROOT = fileURLToPath(new URL('..', import.meta.url));

const schema = z.object({
  /** The orders database as its owner role (valerix_owner), not the services' app role. */
  ORDERS_MIGRATION_DATABASE_URL: databaseUrl('postgresql://valerix_owner@127.0.0.1:5432/orders'),
  INVENTORY_MIGRATION_DATABASE_URL: databaseUrl('postgresql://valerix_owner@127.0.0.1:5432/inventory'),
  SEED_DEMO_INVENTORY: z.enum(['true', 'false']).default('false'),
});

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  console.log(`Usage: npm run migrate

Applies prisma/migrations to ORDERS_MIGRATION_DATABASE_URL and api/inventory/migrations to
INVENTORY_MIGRATION_DATABASE_URL, each as the database's owner role. SEED_DEMO_INVENTORY=true
also adds the demo items to the inventory (existing items are left as they are).`);
  process.exit(0);
}

const config = loadConfig('migrate', schema, process.env);
const log = (message: string) => console.log(JSON.stringify({ level: 'info', service: 'migrate', msg: message }));

try {
  for (const [database, url] of [
    ['orders', config.ORDERS_MIGRATION_DATABASE_URL],
    ['inventory', config.INVENTORY_MIGRATION_DATABASE_URL],
  ] as const) {
    const applied = await applyMigrations(url, path.join(ROOT, MIGRATION_DIRS[database]));
    log(`${database}: ${applied.length === 0 ? 'up to date' : `applied ${applied.join(', ')}`}`);
  }
  if (config.SEED_DEMO_INVENTORY === 'true') {
    const pool = new pg.Pool({ connectionString: config.INVENTORY_MIGRATION_DATABASE_URL, max: 1 });
    try {
      const created = await seedDemoInventory(createInventoryStore(pool));
      log(created > 0 ? `inventory: seeded ${created} demo items` : 'inventory: demo items already there');
    } finally {
      await pool.end();
    }
  }
} catch (err) {
  console.error(JSON.stringify({ level: 'error', service: 'migrate', msg: (err as Error).message }));
  process.exit(1);
}
