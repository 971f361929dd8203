/**
 * `npm run load -- --target URL`: the standalone load test against any Valerix gateway. It runs
 * the scenario of bench/load/scenario.ts (a constant arrival rate of orders, each with a fresh
 * Idempotency-Key) and exits 1 when a threshold is missed.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runOrderLoad } from '../order-load';
import { DEFAULT_SCENARIO, type LoadScenario } from './scenario';
import { checkThresholds } from './thresholds';

const d = DEFAULT_SCENARIO;
const HELP = `Usage: npm run load -- --target URL [options]

Places orders at a constant rate (open model: arrivals do not wait for answers) through
POST /api/orders, each with a fresh Idempotency-Key, then checks the thresholds. Exit 0 when
every threshold holds, 1 when one is missed, 2 on a usage error. The orders are real orders.

  --target URL          the gateway, e.g. http://127.0.0.1:3001 (or LOAD_TARGET)
  --api-key KEY         a gateway client's API key (or LOAD_API_KEY; default: the local
                        stack's CLIENT_API_KEY from <VALERIX_DATA_DIR or .data>/secrets.json)
  --rate N              orders per second (default ${d.rate})
  --duration S          seconds (default ${d.durationS})
  --items A,B,...       item ids to order (default the demo catalogue: ${d.items.join(',')})
  --multi-share F       share of orders with 2-4 lines (default ${d.multiShare})
  --max-error-rate F    share of orders not accepted that still passes (default ${d.thresholds.maxErrorRate})
  --p95 MS, --p99 MS    accept latency limits (default ${d.thresholds.p95Ms} and ${d.thresholds.p99Ms} ms)
  --json FILE           also write the result and the checks as JSON`;

function localApiKey(): string | undefined {
  const secrets = path.resolve(process.env.VALERIX_DATA_DIR ?? '.data', 'secrets.json');
  if (!fs.existsSync(secrets)) return undefined;
  return (JSON.parse(fs.readFileSync(secrets, 'utf8')) as { CLIENT_API_KEY?: string }).CLIENT_API_KEY;
}

function number(name: string, value: string | undefined, fallback: number, valid: (n: number) => boolean): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!valid(parsed)) throw new UsageError(`--${name}: '${value}' is out of range (see --help)`);
  return parsed;
}

class UsageError extends Error {}

function parse(argv: string[]): { scenario: LoadScenario; target: URL; apiKey: string; json?: string } | undefined {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      target: { type: 'string' },
      'api-key': { type: 'string' },
      rate: { type: 'string' },
      duration: { type: 'string' },
      items: { type: 'string' },
      'multi-share': { type: 'string' },
      'max-error-rate': { type: 'string' },
      p95: { type: 'string' },
      p99: { type: 'string' },
      json: { type: 'string' },
    },
  });
  if (values.help) return undefined;
  const target = values.target ?? process.env.LOAD_TARGET;
  if (!target || !URL.canParse(target)) throw new UsageError('--target: the gateway URL, e.g. http://127.0.0.1:3001 (see --help)');
  const apiKey = values['api-key'] ?? process.env.LOAD_API_KEY ?? localApiKey();
  if (!apiKey) throw new UsageError('--api-key: a gateway client key (npm run clients -- create), or LOAD_API_KEY');
  const positive = (n: number) => Number.isFinite(n) && n > 0;
  const share = (n: number) => n >= 0 && n <= 1;
  const items =
    values.items
      ?.split(',')
      .map((item) => item.trim())
      .filter(Boolean) ?? d.items;
  if (items.length === 0) throw new UsageError('--items: at least one item id');
  return {
    target: new URL(target),
    apiKey,
    json: values.json,
    scenario: {
      rate: number('rate', values.rate, d.rate, positive),
      durationS: number('duration', values.duration, d.durationS, positive),
      multiShare: number('multi-share', values['multi-share'], d.multiShare, share),
      items,
      thresholds: {
        maxErrorRate: number('max-error-rate', values['max-error-rate'], d.thresholds.maxErrorRate, share),
        p95Ms: number('p95', values.p95, d.thresholds.p95Ms, positive),
        p99Ms: number('p99', values.p99, d.thresholds.p99Ms, positive),
      },
    },
  };
}

async function main(argv: string[]): Promise<number> {
  const options = parse(argv);
  if (!options) {
    console.log(HELP);
    return 0;
  }
  const { scenario, target } = options;
  console.log(
    `load: ${scenario.rate} orders/s for ${scenario.durationS} s against ${target.origin} ` +
      `(${Math.round(scenario.multiShare * 100)}% multi-line, items ${scenario.items.join(',')})`,
  );
  const window = { ok: 0, failed: 0, slowest: 0 };
  const began = Date.now();
  const progress = setInterval(() => {
    console.log(
      `  ${String(Math.round((Date.now() - began) / 1000)).padStart(4)} s: ${window.ok} accepted, ${window.failed} failed, ` +
        `slowest ${window.slowest.toFixed(0)} ms in the last 5 s`,
    );
    Object.assign(window, { ok: 0, failed: 0, slowest: 0 });
  }, 5000);
  const abort = new AbortController();
  process.once('SIGINT', () => abort.abort());
  try {
    const result = await runOrderLoad(
      {
        baseUrl: target.toString(),
        apiKey: options.apiKey,
        mode: 'accept',
        rate: scenario.rate,
        durationS: scenario.durationS,
        keyPrefix: `load-${randomUUID()}-`,
        items: scenario.items,
        multiShare: scenario.multiShare,
        onAnswer: ({ ok, latencyMs }) => {
          if (ok) window.ok += 1;
          else window.failed += 1;
          window.slowest = Math.max(window.slowest, latencyMs);
        },
      },
      abort.signal,
    );
    clearInterval(progress);
    const checks = checkThresholds(result, scenario.thresholds);
    const ms = (value: number) => (Number.isNaN(value) ? '-' : `${value.toFixed(1)} ms`);
    console.log(
      [
        `planned ${result.planned}, accepted ${result.ok}, failed ${result.failed}, dropped ${result.dropped} (over ${Math.max(100, scenario.rate * 2)} in flight)`,
        `accept latency: p50 ${ms(result.latency.p50)}, p95 ${ms(result.latency.p95)}, p99 ${ms(result.latency.p99)}, max ${ms(result.latency.max)}`,
        ...checks.map(
          (check) =>
            `${check.ok ? 'PASS' : 'FAIL'}  ${check.name.padEnd(11)} ${check.actual.toFixed(check.unit === '%' ? 2 : 1)} ${check.unit} (limit ${check.limit} ${check.unit})`,
        ),
      ].join('\n'),
    );
    if (options.json) fs.writeFileSync(options.json, `${JSON.stringify({ scenario, result, checks }, null, 2)}\n`);
    return checks.every((check) => check.ok) ? 0 : 1;
  } finally {
    clearInterval(progress);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: Error) => {
    console.error(`load: ${err.message}`);
    process.exit(err instanceof UsageError || err.name === 'TypeError' ? 2 : 1);
  },
);
