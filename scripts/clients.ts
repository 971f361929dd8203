/**
 * `npm run clients -- <create|list|revoke>`: gateway API clients in the orders database.
 * A key is printed once, at creation; only its SHA-256 hash is stored.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, parseEnv } from 'node:util';
import { CLIENT_NAME_PATTERN, CLIENT_ROLES, type ClientRole } from '../api/gateway/clients/keys';
import { createClientStore } from '../api/gateway/clients/store';
import { createOrdersDb } from '../shared/orders-db';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

const HELP = `Usage: npm run clients -- <command> [options]

Commands:
  create --name NAME [--role client|admin]   a new client; prints its API key once
  list                                       every client (id, name, role, created, revoked)
  revoke ID|NAME                             the key stops working within 10 s

Clients call the gateway with  Authorization: Bearer <API key>. A client sees and cancels only
its own orders; an admin sees every order. Names: lowercase letters, digits, '.', '_' and '-'.

The orders database is ORDERS_DATABASE_URL (from the environment or .env); without it, the
database of \`npm start\`'s stack, read from <data dir>/stack.env.`;

function databaseUrl(): string {
  const envFile = path.join(ROOT, '.env');
  if (fs.existsSync(envFile)) process.loadEnvFile(envFile);
  if (process.env.ORDERS_DATABASE_URL) return process.env.ORDERS_DATABASE_URL;
  const stackEnv = path.resolve(ROOT, process.env.VALERIX_DATA_DIR ?? '.data', 'stack.env');
  const fromStack = fs.existsSync(stackEnv) ? parseEnv(fs.readFileSync(stackEnv, 'utf8')).ORDERS_DATABASE_URL : undefined;
  if (fromStack) return fromStack;
  throw new Error(`set ORDERS_DATABASE_URL, or start the local stack once (npm start) so that ${stackEnv} exists`);
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { name: { type: 'string' }, role: { type: 'string', default: 'client' }, help: { type: 'boolean', short: 'h' } },
  });
  const [command, target] = positionals;
  if (values.help || !command) {
    console.log(HELP);
    return values.help ? 0 : 1;
  }
  const db = createOrdersDb(databaseUrl(), 1);
  const clients = createClientStore(db);
  try {
    switch (command) {
      case 'create': {
        const name = values.name ?? '';
        const role = values.role as ClientRole;
        if (!CLIENT_NAME_PATTERN.test(name)) throw new Error(`--name: '${name}' is not a valid client name (see --help)`);
        if (!CLIENT_ROLES.includes(role)) throw new Error(`--role: one of ${CLIENT_ROLES.join(', ')}`);
        const { client, key } = await clients.create(name, role);
        console.log(`created ${client.role} '${client.name}' (${client.id})\nAPI key (shown once, store it now):\n${key}`);
        return 0;
      }
      case 'list': {
        const rows = await clients.list();
        if (rows.length === 0) console.log('no clients');
        for (const row of rows) {
          console.log(
            [
              row.id,
              row.name,
              row.role,
              row.createdAt.toISOString(),
              row.revokedAt ? `revoked ${row.revokedAt.toISOString()}` : 'active',
            ].join('\t'),
          );
        }
        return 0;
      }
      case 'revoke': {
        if (!target) throw new Error('revoke: name the client (id or name)');
        if (!(await clients.revoke(target))) throw new Error(`no active client '${target}'`);
        console.log(`revoked '${target}'`);
        return 0;
      }
      default:
        throw new Error(`unknown command '${command}' (see --help)`);
    }
  } finally {
    await db.$disconnect();
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  console.error(`clients: ${(err as Error).message}`);
  process.exitCode = 1;
}
