import { parseArgs } from 'node:util';
import type { TemporalMode } from '../infra/stack';
import type { RateSearch } from './stats';
import { CEILING_VARIANT_NAMES, type CeilingVariant } from './ceiling/variants';

export const HELP = `Usage: npm run bench -- [options]

Starts a private Valerix stack (Postgres, Redis, Temporal, inventory, worker, gateway) on
free ports in a throwaway folder, drives the gateway at a constant arrival rate, and prints
throughput, latency and memory next to Temporal's own ceiling on the same server. Results: a
table here and JSON in .artifacts/bench/<timestamp>-<dev|server>.json.

Phases: warm-up; latency at --latency-rate (accept and end-to-end); duplicate-key replay;
saga throughput search (rate steps until the backlog grows) and a sustained run at the best
rate; the same for each variant of a no-op workflow (the ceiling: one remote activity, one
local activity, one local activity with eager start, one remote activity plus a search
attribute upsert). Full run ~20 min, --quick ~3 min (longer when the stack is overloaded:
every step waits for its backlog to drain).

Options:
  --quick                 short phases (indicative numbers only)
  --temporal MODE         dev (default): the Temporal CLI's dev server (one process, SQLite);
                          server: the real Temporal server (frontend, history, matching and
                          worker processes on the stack's Postgres, mTLS; built by
                          scripts/provision/temporal-server.sh); both: every phase on the dev
                          server, then again on a fresh stack with the real server (one after
                          the other, never at once), and a table comparing the two
  --only LIST             phases to run, comma separated: latency,throughput,ceiling
  --latency-rate N        orders/s of the latency and replay phases (default 50)
  --saga-start N          first rate of the saga search (default 50)
  --ceiling-start N       first rate of the ceiling search (default 50)
  --ceiling-variants LIST ceiling variants to run, comma separated (default all:
                          ${CEILING_VARIANT_NAMES.join(',')})
  --multi-share F         share of multi-line orders, 0..1 (default 0.3)
  --label TEXT            free text stored with the result (e.g. the tuning tried)
  --out DIR               where the JSON goes (default .artifacts/bench)
  --keep-data             keep the stack's data and logs (path printed at the end)

Tuning experiments (defaults are what the repository ships):
  --temporal-dc KEY=JSON  extra dev-server dynamic config value (repeatable), e.g.
                          --temporal-dc system.enableActivityEagerExecution=true
  --temporal-pragma K=V   extra dev-server SQLite pragma (repeatable), e.g. synchronous=off
  --temporal-env K=V      environment of the dev server (repeatable), e.g. GOGC=400
                          (these three tune the dev server only: refused with --temporal
                          server or both)
  --env KEY=VALUE         extra env for inventory, worker, gateway and the ceiling worker
                          (repeatable), e.g. --env WORKER_MAX_CONCURRENT_WORKFLOW_TASKS=80
  --pg NAME=VALUE         Postgres setting applied with ALTER SYSTEM + reload (repeatable;
                          only settings that need no restart), e.g. --pg synchronous_commit=off
  --no-durable            Postgres without fsync and Redis without AOF (as the tests run)
  -h, --help              this text`;

export type Phase = 'latency' | 'throughput' | 'ceiling';
const PHASES: readonly Phase[] = ['latency', 'throughput', 'ceiling'];

/** What --temporal asked for: one mode, or both one after the other. */
export type BenchTemporal = TemporalMode | 'both';
const TEMPORAL_CHOICES: readonly BenchTemporal[] = ['dev', 'server', 'both'];

export interface Durations {
  warmupS: number;
  latencyS: number;
  replayS: number;
  stepS: number;
  sustainS: number;
  /** Longest wait for in-flight work to finish between steps. */
  drainS: number;
}

export interface BenchOptions {
  quick: boolean;
  phases: Set<Phase>;
  temporal: BenchTemporal;
  /** The stacks to run, in this order: dev first when both. */
  temporalModes: TemporalMode[];
  latencyRate: number;
  multiShare: number;
  saga: RateSearch;
  ceiling: RateSearch;
  ceilingVariants: CeilingVariant[];
  durations: Durations;
  label?: string;
  outDir: string;
  keepData: boolean;
  durable: boolean;
  temporalDynamicConfig: string[];
  temporalPragmas: string[];
  temporalEnv: Record<string, string>;
  serviceEnv: Record<string, string>;
  postgresSettings: Record<string, string>;
}

const FULL: Durations = { warmupS: 10, latencyS: 60, replayS: 20, stepS: 20, sustainS: 60, drainS: 60 };
const QUICK: Durations = { warmupS: 3, latencyS: 10, replayS: 4, stepS: 5, sustainS: 8, drainS: 30 };

function positive(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number, got '${raw}'`);
  return value;
}

function pairs(name: string, raw: string[] | undefined): [string, string][] {
  return (raw ?? []).map((item) => {
    const at = item.indexOf('=');
    if (at <= 0) throw new Error(`--${name} expects KEY=VALUE, got '${item}'`);
    return [item.slice(0, at), item.slice(at + 1)];
  });
}

/** Parses the command line; undefined means --help was asked for. */
export function parseBenchArgs(argv: string[]): BenchOptions | undefined {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      quick: { type: 'boolean' },
      temporal: { type: 'string' },
      only: { type: 'string' },
      'latency-rate': { type: 'string' },
      'saga-start': { type: 'string' },
      'ceiling-start': { type: 'string' },
      'ceiling-variants': { type: 'string' },
      'multi-share': { type: 'string' },
      label: { type: 'string' },
      out: { type: 'string' },
      'keep-data': { type: 'boolean' },
      'no-durable': { type: 'boolean' },
      'temporal-dc': { type: 'string', multiple: true },
      'temporal-pragma': { type: 'string', multiple: true },
      'temporal-env': { type: 'string', multiple: true },
      env: { type: 'string', multiple: true },
      pg: { type: 'string', multiple: true },
    },
  });
  if (values.help) return undefined;
  const quick = values.quick ?? false;
  const phases = new Set<Phase>();
  for (const name of (values.only ?? PHASES.join(',')).split(',').map((s) => s.trim())) {
    if (!PHASES.includes(name as Phase)) throw new Error(`--only: unknown phase '${name}' (latency, throughput, ceiling)`);
    phases.add(name as Phase);
  }
  const ceilingVariants = (values['ceiling-variants'] ?? CEILING_VARIANT_NAMES.join(',')).split(',').map((name) => name.trim());
  for (const name of ceilingVariants) {
    if (!CEILING_VARIANT_NAMES.includes(name as CeilingVariant))
      throw new Error(`--ceiling-variants: unknown variant '${name}' (${CEILING_VARIANT_NAMES.join(', ')})`);
  }
  const multiShare = Number(values['multi-share'] ?? 0.3);
  if (!(multiShare >= 0 && multiShare <= 1)) throw new Error(`--multi-share must be between 0 and 1`);
  const search = (start: number): RateSearch => ({
    start,
    growth: 1.5,
    max: 2000,
    maxSteps: quick ? 3 : 7,
    resolution: 0.1,
  });
  for (const [key, value] of pairs('temporal-dc', values['temporal-dc'])) {
    try {
      JSON.parse(value);
    } catch {
      throw new Error(`--temporal-dc ${key}: the value must be JSON (strings in double quotes), got '${value}'`);
    }
  }
  pairs('temporal-pragma', values['temporal-pragma']);
  const temporal = (values.temporal ?? 'dev') as BenchTemporal;
  if (!TEMPORAL_CHOICES.includes(temporal)) throw new Error(`--temporal must be dev, server or both, got '${values.temporal}'`);
  const temporalModes: TemporalMode[] = temporal === 'both' ? ['dev', 'server'] : [temporal];
  // They reach the dev server through a wrapper around the CLI; the real server has other knobs.
  const devOnly = (['temporal-dc', 'temporal-pragma', 'temporal-env'] as const).filter((name) => (values[name] ?? []).length > 0);
  if (temporal !== 'dev' && devOnly.length > 0) {
    throw new Error(
      `${devOnly.map((name) => `--${name}`).join(', ')} tune${devOnly.length === 1 ? 's' : ''} the Temporal dev server only and cannot be combined with --temporal ${temporal} ` +
        `(the real server reads infra/temporal-config/); run them with --temporal dev`,
    );
  }
  return {
    quick,
    phases,
    temporal,
    temporalModes,
    latencyRate: positive('latency-rate', values['latency-rate'], 50),
    multiShare,
    saga: search(positive('saga-start', values['saga-start'], 50)),
    ceiling: search(positive('ceiling-start', values['ceiling-start'], 50)),
    ceilingVariants: ceilingVariants as CeilingVariant[],
    durations: quick ? QUICK : FULL,
    label: values.label,
    outDir: values.out ?? '.artifacts/bench',
    keepData: values['keep-data'] ?? false,
    durable: !(values['no-durable'] ?? false),
    temporalDynamicConfig: values['temporal-dc'] ?? [],
    temporalPragmas: values['temporal-pragma'] ?? [],
    temporalEnv: Object.fromEntries(pairs('temporal-env', values['temporal-env'])),
    serviceEnv: Object.fromEntries(pairs('env', values.env)),
    postgresSettings: Object.fromEntries(pairs('pg', values.pg)),
  };
}
