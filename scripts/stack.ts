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
import { gatewayUrls, serviceSpecs, startInfrastructure, startServices, type SupervisedService } from '../infra/stack';
import { temporalServerPortsAround, type TemporalServerPorts } from '../infra/temporal-server';
import { startPrometheus, type RunningPrometheus } from '../infra/prometheus';
import { createOrdersDb } from '../shared/orders-db';
import { writeWorkflowBundle } from '../workers/workflow-bundle';
import { loadStackConfig } from './stack-config';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** The gateway client `npm start` registers, with the key CLIENT_API_KEY of the local secrets. */
const DEV_CLIENT = 'dev';

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  console.log(`Usage: npm start [-- --temporal dev|server] [--workers N] [--gateways M] [--with-prometheus]

Starts Postgres, Redis, Temporal (with its Web UI), runs migrations, seeds the demo inventory,
then the inventory service, the workers, the gateways and the dashboard. Crashed services are
restarted. Ctrl-C stops everything.

--temporal dev     (default) the Temporal CLI's dev server: one process, SQLite, starts in seconds.
--temporal server  the real Temporal server: frontend, history, matching and worker processes
                   on the stack's Postgres (databases temporal, temporal_visibility), mTLS on the
                   frontend, its own Web UI server. Builds the server on first use (~5 min cold).
--workers N        N worker processes on the order task queue (1-8; default 1). Worker i serves
                   /health on WORKER_HTTP_PORT + 100*(i-1).
--gateways M       M gateways (1-8; default 1) on GATEWAY_PORT + 100*(i-1); the dashboard uses
                   them all, moving on when one is down.
--with-prometheus  also runs Prometheus (Debian package prometheus) on PROMETHEUS_PORT (9090),
                   scraping every service and evaluating the alert rules in observability/.

The same settings as variables (a flag wins): VALERIX_TEMPORAL, VALERIX_WORKERS, VALERIX_GATEWAYS.
Other settings come from .env (see .env.example): ports, VALERIX_DATA_DIR (default .data).
The two Temporal modes keep separate histories: orders started under one are not seen by the other.
Reset all data: stop the stack, then  npm run reset
Logs: <data dir>/logs/<part>.log`);
  process.exit(0);
}

let config: ReturnType<typeof loadStackConfig>;
try {
  config = loadStackConfig(ROOT, process.argv.slice(2));
} catch (err) {
  console.error(`[stack] ${(err as Error).message}`);
  process.exit(2);
}
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
  execFileSync(
    process.execPath,
    [path.join(ROOT, 'node_modules/@remix-run/dev/dist/cli.js'), 'vite:build', '--config', 'web/vite.config.ts'],
    {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
}

let temporalServerPorts: TemporalServerPorts | undefined;
// Every port is checked before anything starts, so a clash costs no start-up time.
try {
  if (config.temporalMode === 'server') temporalServerPorts = temporalServerPortsAround(config.infraPorts.temporal);
  const ports: [string, number][] = [
    ...Object.entries(config.infraPorts).map(([name, port]): [string, number] => [name === 'temporalUi' ? 'Temporal Web UI' : name, port]),
    ...Object.entries(temporalServerPorts ?? {}).flatMap(([service, ports]): [string, number][] =>
      typeof ports === 'number'
        ? [[`Temporal ${service}`, ports]]
        : [
            [`Temporal ${service}`, ports.grpc],
            [`Temporal ${service} membership`, ports.membership],
          ],
    ),
    ...serviceSpecs(ROOT, config.servicePorts, config.scale).map((spec): [string, number] => [
      spec.name,
      Number(new URL(spec.healthUrl).port),
    ]),
  ];
  for (const [name, port] of ports) await assertPortFree(port, name);
} catch (err) {
  console.error(`[stack] ${(err as Error).message}`);
  process.exit(1);
}
if (config.temporalMode === 'server') {
  // Idempotent: builds the server, its sql tool and Web UI server only when they are missing.
  execFileSync('bash', [path.join(ROOT, 'scripts/provision/temporal-server.sh')], { cwd: ROOT, stdio: 'inherit' });
}
buildDashboardIfStale();
const local = loadOrCreateLocalSecrets(config.dataDir);
progress(`${local.created ? 'created' : 'using'} local secrets in ${path.relative(ROOT, local.file)}`);
const logsDir = path.join(config.dataDir, 'logs');
const { infra: infraSecrets, services: serviceSecrets, clientApiKey } = splitLocalSecrets(local.secrets);
const infra = await startInfrastructure({
  root: ROOT,
  dataDir: config.dataDir,
  ports: { ...config.infraPorts, temporalServer: temporalServerPorts },
  durable: true,
  temporalMode: config.temporalMode,
  temporalRetention: config.temporalRetention,
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
  await createClientStore(ordersDb)
    .ensure(DEV_CLIENT, 'client', clientApiKey)
    .finally(() => ordersDb.$disconnect());
  // `npm run clients` finds the stack's orders database here.
  fs.writeFileSync(path.join(config.dataDir, 'stack.env'), `ORDERS_DATABASE_URL=${infra.env.ORDERS_DATABASE_URL}\n`, { mode: 0o600 });

  services = await startServices({
    root: ROOT,
    infra,
    ports: config.servicePorts,
    scale: config.scale,
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
      ports: {
        gateway: servicePorts.gateway,
        inventory: servicePorts.inventory,
        worker: servicePorts.worker,
        prometheus: config.prometheusPort,
      },
      logFile: path.join(logsDir, 'prometheus.log'),
    });
    progress(`prometheus :${config.prometheusPort} ok`);
  }
} catch (err) {
  console.error(`[stack] failed: ${(err as Error).message}`);
  await shutdown(1);
}

const { servicePorts: s, infraPorts: i } = config;
const workerHealth = serviceSpecs(ROOT, s, config.scale)
  .filter((spec) => spec.role === 'worker')
  .map((spec) => spec.healthUrl.replace('127.0.0.1', 'localhost'));
const certificates = infra.temporal.certificates;
const relative = (file: string) => path.relative(ROOT, file);
// The CLI flags that reach this stack's Temporal (mTLS in server mode).
const temporalCliFlags = [
  `--address localhost:${i.temporal}`,
  ...(certificates
    ? [
        `--tls-ca-path ${relative(certificates.caFile)}`,
        `--tls-cert-path ${relative(certificates.clientCertFile)}`,
        `--tls-key-path ${relative(certificates.clientKeyFile)}`,
        `--tls-server-name ${certificates.serverName}`,
      ]
    : []),
].join(' ');
console.log(`
Valerix is up. Ctrl-C stops it; data stays in ${path.relative(ROOT, config.dataDir)}/.

  Dashboard        http://localhost:${s.web}
  Gateway API      ${gatewayUrls(s, config.scale)
    .map((url) => `${url.replace('127.0.0.1', 'localhost')}/api/orders`)
    .join('  ')}   (docs: http://localhost:${s.gateway}/docs)
  Inventory API    http://localhost:${s.inventory}/api/inventory
  Worker health    ${workerHealth.join('  ')}   (metrics: /metrics on gateway, inventory, worker)
${prometheus ? `  Prometheus       ${prometheus.url}   (alerts: ${prometheus.url}/alerts)\n` : ''}  Temporal         ${config.temporalMode === 'dev' ? 'dev server' : 'server: frontend, history, matching, worker (mTLS)'} at localhost:${i.temporal}
  Temporal Web UI  http://localhost:${i.temporalUi}
  Temporal CLI     .tools/bin/temporal operator cluster health ${temporalCliFlags}
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
