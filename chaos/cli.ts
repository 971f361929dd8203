/**
 * `npm run chaos`: places orders while injecting faults, then proves from the databases,
 * Temporal and Redis that nothing was lost or duplicated. Exits 1 if any invariant fails.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { TEMPORAL_MODES, type TemporalMode } from '../infra/stack';
import { FULL_RUN, runChaos } from './harness';
import { formatReport } from './report';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

const HELP = `Usage: npm run chaos -- [options]

Starts its own Valerix stack (free ports, throwaway data folder) so it can kill and restart
every part, places orders (single- and multi-line, with cancels, duplicate keys and deliberate
out-of-stock) while injecting faults, waits for every order to settle, then checks the
invariants and prints a report. Exit code 1 if any invariant fails.

Options (defaults are the full run):
  --orders N               orders to place                       (${FULL_RUN.orders})
  --concurrency N          clients placing orders at once        (${FULL_RUN.concurrency})
  --crash-rate R           inventory calls failing before commit (${FULL_RUN.chaos.crash_rate})
  --lost-response-rate R   stock changes committed, answer lost  (${FULL_RUN.chaos.lost_response_rate})
  --latency-ms N           added latency                         (${FULL_RUN.chaos.latency_ms})
  --latency-rate R         share of calls delayed                (${FULL_RUN.chaos.latency_rate})
  --kill-rate R            stock changes that kill the inventory (${FULL_RUN.chaos.kill_rate})
  --kills N                kill -9 of worker/inventory/gateway   (${FULL_RUN.kills})
  --restarts N             restarts of redis/postgres/temporal   (${FULL_RUN.restarts})
  --temporal dev|server    the dev server or the real server      (${FULL_RUN.temporalMode})
                           (server: a restart restarts its four processes; needs
                           bash scripts/provision/temporal-server.sh)
  --workers N              worker processes; kills rotate through them (${FULL_RUN.workers})
  --fault-interval-ms N    time between two faults               (${FULL_RUN.faultIntervalMs})
  --settle-limit-s N       max seconds to settle after chaos ends (${FULL_RUN.settleLimitMs / 1000})
  --json FILE              also write the report as JSON (default .artifacts/chaos/<time>.json)
  --keep-data              keep the stack's data folder and logs
  -h, --help               this text
`;

const { values } = parseArgs({
  options: {
    orders: { type: 'string' },
    concurrency: { type: 'string' },
    'crash-rate': { type: 'string' },
    'lost-response-rate': { type: 'string' },
    'latency-ms': { type: 'string' },
    'latency-rate': { type: 'string' },
    'kill-rate': { type: 'string' },
    kills: { type: 'string' },
    restarts: { type: 'string' },
    'fault-interval-ms': { type: 'string' },
    'settle-limit-s': { type: 'string' },
    temporal: { type: 'string' },
    workers: { type: 'string' },
    json: { type: 'string' },
    'keep-data': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log(HELP);
  process.exit(0);
}

function number(name: keyof typeof values, fallback: number, { min = 0, max = Number.MAX_SAFE_INTEGER } = {}): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const parsed = Number(raw);
  if (!Number.isFinite(parsed) || parsed < min || parsed > max) {
    console.error(`--${name}: expected a number from ${min} to ${max}, got '${String(raw)}' (see --help)`);
    process.exit(2);
  }
  return parsed;
}

function temporalMode(value: string): TemporalMode {
  if ((TEMPORAL_MODES as readonly string[]).includes(value)) return value as TemporalMode;
  console.error(`--temporal: expected one of ${TEMPORAL_MODES.join(', ')}, got '${value}' (see --help)`);
  process.exit(2);
}

const rate = { min: 0, max: 1 };
const options = {
  ...FULL_RUN,
  orders: number('orders', FULL_RUN.orders, { min: 1 }),
  concurrency: number('concurrency', FULL_RUN.concurrency, { min: 1, max: 1000 }),
  chaos: {
    crash_rate: number('crash-rate', FULL_RUN.chaos.crash_rate!, rate),
    lost_response_rate: number('lost-response-rate', FULL_RUN.chaos.lost_response_rate!, rate),
    latency_ms: number('latency-ms', FULL_RUN.chaos.latency_ms!, { max: 60_000 }),
    latency_rate: number('latency-rate', FULL_RUN.chaos.latency_rate!, rate),
    kill_rate: number('kill-rate', FULL_RUN.chaos.kill_rate!, rate),
  },
  kills: number('kills', FULL_RUN.kills),
  restarts: number('restarts', FULL_RUN.restarts),
  faultIntervalMs: number('fault-interval-ms', FULL_RUN.faultIntervalMs, { min: 100 }),
  settleLimitMs: number('settle-limit-s', FULL_RUN.settleLimitMs / 1000, { min: 1 }) * 1000,
  keepData: values['keep-data'] ?? false,
  temporalMode: temporalMode(values.temporal ?? FULL_RUN.temporalMode),
  workers: number('workers', FULL_RUN.workers, { min: 1, max: 8 }),
};

const started = Date.now();
const report = await runChaos(options, (line) => console.log(`[chaos +${((Date.now() - started) / 1000).toFixed(0)}s] ${line}`), ROOT);
console.log(`\n${formatReport(report)}`);
const jsonFile = values.json ?? path.join(ROOT, '.artifacts', 'chaos', `${new Date().toISOString().replaceAll(':', '-')}.json`);
fs.mkdirSync(path.dirname(jsonFile), { recursive: true });
fs.writeFileSync(jsonFile, JSON.stringify(report, null, 2));
console.log(`Report written to ${path.relative(process.cwd(), jsonFile)}`);
process.exit(report.passed ? 0 : 1);
