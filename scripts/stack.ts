/**
 * `npm start`: the whole Valerix stack on this machine, no containers. Data survives restarts
 * in .data/ (delete it to reset); Ctrl-C stops everything cleanly.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createClientStore } from '../api/gateway/clients/store';
import { createInventoryStore } from '../api/inventory/store';
import { seedDemoInventory } from '../api/inventory/seed';
import { loadOrCreateLocalSecrets, splitLocalSecrets } from '../infra/local-secrets';
import { assertPortFree } from '../infra/ports';
import { startInfrastructure, startServices, type SupervisedService } from '../infra/stack';
import { startPrometheus, type RunningPrometheus } from '../observability/local-prometheus';
import { createOrdersDb } from '../shared/orders-db';
import { writeWorkflowBundle } from '../workers/workflow-bundle';
import { loadStackConfig } from './stack-config';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** The gateway client `npm start` registers, with the key CLIENT_API_KEY of the local secrets. */
const DEV_CLIENT = 'dev';

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  console.log(`Usage: npm start [-- --with-prometheus]

Starts Postgres, Redis, the Temporal dev server (with its Web UI), runs migrations, seeds the demo
inventory, then the inventory service, the worker, the gateway and the dashboard. Crashed services
are restarted. Ctrl-C stops everything.

--with-prometheus  also runs Prometheus (Debian package prometheus) on PROMETHEUS_PORT (9090),
                   scraping every service and evaluating the alert rules in observability/.

Settings come from .env (see .env.example): ports, VALERIX_DATA_DIR (default .data).
Reset all data: stop the stack, then  npm run reset
Logs: <data dir>/logs/<part>.log`);
  process.exit(0);
}

const config = loadStackConfig(ROOT);
const withPrometheus = process.argv.includes('--with-prometheus');
const progress = (message: string) => console.log(`[stack] ${message}`);

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, fs.statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

function buildDashboardIfStale(): void {
  const built = path.join(ROOT, 'web/build/server/index.js');
  if (fs.existsSync(built) && fs.statSync(built).mtimeMs > newestMtime(path.join(ROOT, 'web/app'))) return;
  progress('building the dashboard (remix vite:build) ...');
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules/@remix-run/dev/dist/cli.js'), 'vite:build', '--config', 'web/vite.config.ts'], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

// Every port is checked before anything starts, so a clash costs no start-up time.
try {
  for (const [name, port] of [...Object.entries(config.infraPorts), ...Object.entries(config.servicePorts)]) {
    await assertPortFree(port, name === 'temporalUi' ? 'Temporal Web UI' : name);
  }
} catch (err) {
  console.error(`[stack] ${(err as Error).message}`);
  process.exit(1);
}
buildDashboardIfStale();
const local = loadOrCreateLocalSecrets(config.dataDir);
progress(`${local.created ? 'created' : 'using'} local secrets in ${path.relative(ROOT, local.file)}`);
const logsDir = path.join(config.dataDir, 'logs');
const { infra: infraSecrets, services: serviceSecrets, clientApiKey } = splitLocalSecrets(local.secrets);
const infra = await startInfrastructure({
  root: ROOT,
  dataDir: config.dataDir,
  ports: config.infraPorts,
  durable: true,
  ...infraSecrets,
  progress,
});

let services: SupervisedService[] = [];
let prometheus: RunningPrometheus | undefined;
let stopping = false;
async function shutdown(code: number): Promise<never> {
  if (stopping) process.exit(code);
  stopping = true;
  progress('stopping ...');
  await prometheus?.stop();
  for (const service of [...services].reverse()) await service.stop();
  await infra.stop();
  progress('stopped; data kept in ' + path.relative(ROOT, config.dataDir));
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

try {
  const pool = new pg.Pool({ connectionString: infra.env.INVENTORY_DATABASE_URL });
  const created = await seedDemoInventory(createInventoryStore(pool));
  await pool.end();
  progress(created > 0 ? `seeded ${created} demo items` : 'demo inventory already seeded');
  const ordersDb = createOrdersDb(infra.env.ORDERS_DATABASE_URL, 1);
  await createClientStore(ordersDb).ensure(DEV_CLIENT, 'client', clientApiKey).finally(() => ordersDb.$disconnect());
  // `npm run clients` finds the stack's orders database here.
  fs.writeFileSync(path.join(config.dataDir, 'stack.env'), `ORDERS_DATABASE_URL=${infra.env.ORDERS_DATABASE_URL}\n`, { mode: 0o600 });

  services = await startServices({
    root: ROOT,
    infra,
    ports: config.servicePorts,
    logsDir,
    // Bundled once here, so a worker the supervisor restarts is back in about a second.
    extraEnv: { ...serviceSecrets, WORKFLOW_BUNDLE_PATH: await writeWorkflowBundle(config.dataDir) },
    progress,
    onRestart: (name, code) => progress(`${name} exited (code ${code}); restarting`),
  });
  if (withPrometheus) {
    const { servicePorts } = config;
    progress(`prometheus :${config.prometheusPort} ...`);
    prometheus = await startPrometheus({
      dataDir: config.dataDir,
      ports: { gateway: servicePorts.gateway, inventory: servicePorts.inventory, worker: servicePorts.worker, prometheus: config.prometheusPort },
      logFile: path.join(logsDir, 'prometheus.log'),
    });
    progress(`prometheus :${config.prometheusPort} ok`);
  }
} catch (err) {
  console.error(`[stack] failed: ${(err as Error).message}`);
  await shutdown(1);
}

const { servicePorts: s, infraPorts: i } = config;
console.log(`
Valerix is up. Ctrl-C stops it; data stays in ${path.relative(ROOT, config.dataDir)}/.

  Dashboard        http://localhost:${s.web}
  Gateway API      http://localhost:${s.gateway}/api/orders   (docs: http://localhost:${s.gateway}/docs)
  Inventory API    http://localhost:${s.inventory}/api/inventory
  Worker health    http://localhost:${s.worker}/health   (metrics: /metrics on gateway, inventory, worker)
${prometheus ? `  Prometheus       ${prometheus.url}   (alerts: ${prometheus.url}/alerts)\n` : ''}  Temporal Web UI  http://localhost:${i.temporalUi}
  Temporal gRPC    localhost:${i.temporal}
  Logs             ${path.relative(ROOT, logsDir)}/
  Secrets          ${path.relative(ROOT, local.file)}
                   dashboard login: DASHBOARD_PASSWORD
                   gateway API key of the client '${DEV_CLIENT}': CLIENT_API_KEY (more: npm run clients -- --help)
                   ADMIN_TOKEN: chaos mode, restock and every order, as Authorization: Bearer ...

Try it:
  KEY=$(node -p "require('./${path.relative(ROOT, local.file)}').CLIENT_API_KEY")
  curl -s -X POST localhost:${s.gateway}/api/orders -H "authorization: Bearer $KEY" -H 'content-type: application/json' \\
    -H "Idempotency-Key: $(uuidgen || date +%s%N)" -H 'Prefer: wait=5' -d '{"item_id":"ps5","quantity":2}'
`);
