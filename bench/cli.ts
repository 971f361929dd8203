/**
 * `npm run bench`: throughput, latency and memory of a private Valerix stack under an open-model load (bench/order-load.ts), next
 * to Temporal's own ceiling on the same server, on the Temporal dev server, the real server, or both one after the other
 * (--temporal). See bench/README.md and --help.
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PG_ROLES } from '../infra/postgres';
import type { TemporalMode } from '../infra/stack';
import { temporalCliPath } from '../infra/temporal';
import { TEMPORAL_SERVICES } from '../infra/temporal-server';
import { calibrationMs } from './calibrate';
import { createCeilingDriver, type CeilingDriver } from './ceiling/driver';
import { CEILING_VARIANTS, type CeilingVariant } from './ceiling/variants';
import { cpuBetween, cpuSnapshot, type SubPart } from './cpu';
import { runOrderLoad, type OrderLoadResult, type OrderLoadRun } from './order-load';
import { MemorySampler } from './memory';
import { HELP, parseBenchArgs, type BenchOptions } from './options';
import { createOrdersProbe, type OrdersProbe } from './orders-probe';
import {
  CEILING_WORKER,
  TEMPORAL_POSTGRES,
  isTemporalPart,
  renderComparison,
  renderTable,
  targetsOf,
  writeResult,
  type BenchResult,
  type LatencyResult,
  type SearchResult,
  type StepResult,
} from './report';
import { BENCH_ITEMS, startBenchStack, type BenchStack } from './stack';
import { bestRate, distribution, holdRate, judgeStep, lowerHoldRate, nextRate, type RateSearch, type Sample } from './stats';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WARMUP_RATE = 10;
/** A step stops early once this many seconds of arrivals are waiting. */
const ABORT_BACKLOG_S = 5;
/** Lower rates tried after a sustained run that did not hold. */
const MAX_HOLD_RETRIES = 2;

let parsed: BenchOptions | undefined;
try {
  parsed = parseBenchArgs(process.argv.slice(2));
} catch (err) {
  console.error(`bench: ${(err as Error).message}\n(see npm run bench -- --help)`);
  process.exit(2);
}
if (!parsed) {
  console.log(HELP);
  process.exit(0);
}
const options: BenchOptions = parsed;
const { durations } = options;

const progress = (message: string) => console.log(`[bench] ${message}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `work` every intervalMs until stopped; stop() waits for a sample in progress. */
function every(intervalMs: number, work: () => Promise<void>): { stop(): Promise<void> } {
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      await work();
      await sleep(intervalMs);
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}

/** One kind of load (orders through the gateway, or the ceiling workflow) for one step. */
interface StepDriver {
  label: string;
  /** Sends the load at the step's rate (until aborted); resolves when it has all been answered. */
  send(signal: AbortSignal): Promise<{ planned: number; sent: number; errors: number; dropped: number }>;
  backlog(): Promise<number>;
  /** Completions per second over the steady window, and outcomes that are not a success. */
  completion(settleMs: number): Promise<{ rate: number; failed: number }>;
  /** Completions of this step so far. */
  completedCount(): Promise<number>;
  sampleEveryMs: number;
}

/** Waits until nothing is in flight (up to drainS), so one step does not load the next. */
async function drain(backlog: () => Promise<number>): Promise<number | undefined> {
  const began = Date.now();
  for (;;) {
    const left = await backlog();
    const elapsedS = (Date.now() - began) / 1000;
    if (left === 0) return elapsedS;
    if (elapsedS > durations.drainS) {
      progress(`  ${left} still in flight after ${durations.drainS} s; going on`);
      return undefined;
    }
    await sleep(250);
  }
}

/** The stack's parts for CPU and memory: root pid of each (asked afresh: a restarted service has a new pid), and shares of a part. */
interface Parts {
  pids(): Record<string, number | undefined>;
  subParts: Record<string, SubPart>;
}

async function runStep(name: string, rate: number, durationS: number, driver: StepDriver, parts: Parts): Promise<StepResult> {
  progress(`${driver.label}: ${rate}/s for ${durationS} s (${name})`);
  const cpuStart = cpuSnapshot(parts.pids(), parts.subParts);
  const backlog: Sample[] = [];
  const began = Date.now();
  let printedAt = 0;
  const abort = new AbortController();
  let aborted: string | undefined;
  const sampling = every(driver.sampleEveryMs, async () => {
    const value = await driver.backlog();
    const t = (Date.now() - began) / 1000;
    backlog.push({ t, value });
    if (t - printedAt >= 5) {
      printedAt = t;
      progress(`  ${t.toFixed(0).padStart(3)} s  backlog ${value}`);
    }
    // Far past flat: stop before the backlog takes minutes to drain and spoils the next step.
    if (!aborted && t >= 3 && value > Math.max(100, rate * ABORT_BACKLOG_S)) {
      aborted = `stopped after ${t.toFixed(0)} s: backlog ${value} > ${ABORT_BACKLOG_S} s of arrivals`;
      progress(`  ${aborted}`);
      abort.abort();
    }
  });
  const sent = await driver.send(abort.signal).finally(() => sampling.stop());
  const cpu = cpuBetween(cpuStart, cpuSnapshot(parts.pids(), parts.subParts));
  const backlogAtEnd = await driver.backlog();
  const drainedInS = await drain(() => driver.backlog());
  const busyRate = (await driver.completedCount()) / ((Date.now() - began) / 1000);
  // In-flight work fills up during the first seconds; throughput is counted after it.
  const { rate: completedRate, failed } = await driver.completion(Math.min(5000, durationS * 150));
  const errors = sent.errors + failed;
  const verdict = judgeStep({ rate, planned: sent.planned, dropped: sent.dropped, errors, completedRate, backlog });
  if (failed > 0) verdict.reasons.push(`${failed} not completed successfully`);
  if (aborted) verdict.reasons.unshift(aborted);
  const step: StepResult = {
    name,
    rate,
    durationS,
    planned: sent.planned,
    sent: sent.sent,
    errors,
    dropped: sent.dropped,
    completedRate,
    busyRate,
    backlogSlope: verdict.backlogSlope,
    backlogMax: Math.max(0, ...backlog.map((s) => s.value)),
    backlogAtEnd,
    drainedInS,
    sustained: verdict.sustained && failed === 0 && !aborted,
    reasons: verdict.reasons,
    cpu,
    backlog,
  };
  progress(
    `  => ${completedRate.toFixed(1)}/s completed (${busyRate.toFixed(1)}/s over load and drain), backlog slope ${verdict.backlogSlope.toFixed(2)}/s, ` +
      `${step.sustained ? 'sustained' : `not sustained (${step.reasons.join('; ')})`}; cpu bench ${cpu.benchCores.toFixed(2)} other ${cpu.otherCores.toFixed(2)} cores`,
  );
  return step;
}

/** Steps the rate up, then bisects (see nextRate), then holds the best rate for sustainS. */
async function search(
  kind: string,
  rateSearch: RateSearch,
  parts: Parts,
  driverFor: (name: string, rate: number, durationS: number) => StepDriver,
  /** Steps of the same load measured before (the latency phase), that guide the first rate. */
  prior: StepResult[] = [],
): Promise<SearchResult> {
  const steps: StepResult[] = [];
  const history = () => [...prior, ...steps];
  for (let rate = nextRate(rateSearch, history()); rate !== undefined; rate = nextRate(rateSearch, history())) {
    const name = `${kind}-step${steps.length + 1}`;
    steps.push(await runStep(name, rate, durations.stepS, driverFor(name, rate, durations.stepS), parts));
  }
  // A 20 s step can pass at a rate the 60 s hold cannot keep: then hold a little lower.
  const holds: StepResult[] = [];
  for (let rate: number | undefined = holdRate(history()); rate !== undefined;) {
    const name = holds.length === 0 ? `${kind}-sustain` : `${kind}-sustain${holds.length + 1}`;
    const hold = await runStep(name, rate, durations.sustainS, driverFor(name, rate, durations.sustainS), parts);
    holds.push(hold);
    rate = hold.sustained || holds.length > MAX_HOLD_RETRIES ? undefined : lowerHoldRate(rate);
  }
  return { steps: history(), failedHolds: holds.slice(0, -1), bestRate: bestRate(history()), sustained: holds.at(-1) };
}

function ordersDriver(
  stack: BenchStack,
  probe: OrdersProbe,
  label: string,
  run: Omit<OrderLoadRun, 'baseUrl' | 'apiKey' | 'items' | 'multiShare'>,
  onResult?: (result: OrderLoadResult) => void,
): StepDriver {
  const prefix = run.keyPrefix;
  return {
    label,
    sampleEveryMs: 1000,
    async send(signal) {
      const result = await runOrderLoad(
        { ...run, baseUrl: stack.gatewayUrl, apiKey: stack.apiKey, items: BENCH_ITEMS, multiShare: options.multiShare },
        signal,
      );
      onResult?.(result);
      return { planned: result.planned, sent: result.ok + result.failed, errors: result.failed, dropped: result.dropped };
    },
    backlog: async () => (await probe.counts(prefix)).backlog,
    async completion(settleMs) {
      const window = await probe.throughput(prefix, settleMs);
      const { failed } = await probe.counts(prefix);
      return { rate: window.windowS > 0 ? window.confirmedInWindow / window.windowS : 0, failed };
    },
    completedCount: async () => (await probe.counts(prefix)).confirmed,
  };
}

function ceilingDriver(
  driver: CeilingDriver,
  variant: CeilingVariant,
  idPrefix: string,
  rate: number,
  durationS: number,
  onRun: (run: Awaited<ReturnType<CeilingDriver['run']>>) => void,
): StepDriver {
  let span = { first: 0, last: 0 };
  let started = 0;
  return {
    label: `ceiling ${variant}`,
    sampleEveryMs: 1000,
    async send(signal) {
      const run = await driver.run(variant, rate, durationS, idPrefix, signal);
      span = { first: run.firstStart, last: run.lastStart };
      started = run.started;
      onRun(run);
      return { planned: run.planned, sent: run.started + run.failed, errors: run.failed, dropped: run.dropped };
    },
    backlog: () => driver.backlog(),
    async completion(settleMs) {
      const from = span.first + settleMs;
      const windowS = (span.last - from) / 1000;
      return { rate: windowS > 0 ? (await driver.completedBetween(from, span.last)) / windowS : 0, failed: 0 };
    },
    // Earlier steps were drained: what is still in flight belongs to this one.
    completedCount: async () => started - Math.max(0, await driver.backlog()),
  };
}

async function latencyPhase(stack: BenchStack, probe: OrdersProbe, runTag: string, parts: Parts): Promise<LatencyResult> {
  const rate = options.latencyRate;
  // Gentle: enough to compile hot paths and fill connection pools, never a backlog for what follows.
  const warmRate = Math.min(rate, WARMUP_RATE);
  const warmRun = { mode: 'accept' as const, rate: warmRate, durationS: durations.warmupS, keyPrefix: `${runTag}warm-` };
  await runStep('warm-up', warmRate, durations.warmupS, ordersDriver(stack, probe, 'warm-up', warmRun), parts);

  const prefix = `${runTag}lat-`;
  let accept: OrderLoadResult | undefined;
  const step = await runStep(
    'latency',
    rate,
    durations.latencyS,
    ordersDriver(stack, probe, 'latency', { mode: 'accept', rate, durationS: durations.latencyS, keyPrefix: prefix }, (r) => (accept = r)),
    parts,
  );
  const endToEnd = await probe.endToEnd(prefix);
  const counts = await probe.counts(prefix);

  progress(`replay: ${rate}/s for ${durations.replayS} s over the ${accept!.ok} keys just accepted`);
  const replay = await runOrderLoad({
    baseUrl: stack.gatewayUrl,
    apiKey: stack.apiKey,
    mode: 'replay',
    rate,
    durationS: durations.replayS,
    keyPrefix: prefix,
    replayCount: accept!.ok,
    items: BENCH_ITEMS,
    multiShare: options.multiShare,
  });
  const after = await probe.counts(prefix);
  if (after.accepted !== counts.accepted) progress(`  WARNING: replays created ${after.accepted - counts.accepted} new orders`);
  return {
    rate,
    accept: { count: accept!.ok, ...accept!.latency, errors: accept!.failed, dropped: accept!.dropped },
    endToEnd: distribution(endToEnd.acceptToConfirmedMs),
    saga: distribution(endToEnd.sagaMs),
    notConfirmed: counts.failed,
    replay: { count: replay.ok, ...replay.latency, errors: replay.failed, notMarkedReplayed: replay.replayMismatch },
    step,
  };
}

/** The stack running now: a SIGINT stops it (with --temporal both, one stack at a time). */
let current: BenchStack | undefined;
let interrupted = false;
process.once('SIGINT', () => {
  interrupted = true;
  progress('interrupted: stopping the stack');
  void (current?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
});

function temporalVersion(mode: TemporalMode): string {
  if (mode === 'dev') return `dev server: ${execFileSync(temporalCliPath(ROOT), ['--version'], { encoding: 'utf8' }).trim()}`;
  const version = execFileSync(path.join(ROOT, '.tools', 'bin', 'temporal-server'), ['--version'], { encoding: 'utf8' }).trim();
  return `server: ${version.replace(/^temporal /, 'temporal-server ')} (${TEMPORAL_SERVICES.join(', ')}; Postgres; mTLS)`;
}

/** Every selected phase on a fresh stack with this Temporal; the result is printed and written before the next mode starts. */
async function runMode(temporalMode: TemporalMode): Promise<BenchResult> {
  const startedAt = new Date();
  const loadAvgBefore = os.loadavg();
  const calibrationBefore = calibrationMs();
  const versions = {
    load: 'bench/order-load.ts (open model, node:http)',
    temporal: temporalVersion(temporalMode),
  };
  progress(
    `${options.quick ? 'quick' : 'full'} run on the ${temporalMode === 'dev' ? 'Temporal dev server' : 'real Temporal server (mTLS)'}; load average now ${loadAvgBefore.map((v) => v.toFixed(2)).join(' ')}`,
  );
  const stack = await startBenchStack(ROOT, options, temporalMode, progress);
  current = stack;
  const service = (name: string) => stack.services.find((s) => s.spec.name === name)?.process.pid;
  const parts: Parts = {
    pids: () => ({
      worker: service('worker'),
      gateway: service('gateway'),
      inventory: service('inventory'),
      // The dev server is one process ('temporal'); the real server one per service ('temporal-history', ...).
      ...Object.fromEntries(stack.infra.temporal.processes.map((child) => [child.name, child.pid])),
      postgres: stack.infra.postgres.process.pid,
      redis: stack.infra.redis.process.pid,
      [CEILING_WORKER]: stack.ceilingWorker.pid,
    }),
    // The real server persists in the stack's Postgres: its backends are named after Temporal's role.
    subParts:
      temporalMode === 'server'
        ? { [TEMPORAL_POSTGRES]: { of: 'postgres', matches: (cmdline) => cmdline.startsWith(`postgres: ${PG_ROLES.temporal} `) } }
        : {},
  };
  const memory = new MemorySampler(parts.pids, [CEILING_WORKER], { temporal: isTemporalPart });
  memory.start(2000);
  const probe = createOrdersProbe(stack.infra.env.ORDERS_DATABASE_URL);
  const runTag = `b${startedAt.getTime().toString(36)}-`;
  const result: Partial<BenchResult> = {};
  try {
    if (options.phases.has('latency')) result.latency = await latencyPhase(stack, probe, runTag, parts);
    if (options.phases.has('throughput')) {
      const accepts = new Map<string, OrderLoadResult>();
      const saga = await search(
        'saga',
        options.saga,
        parts,
        (name, rate, durationS) =>
          ordersDriver(stack, probe, 'saga', { mode: 'accept', rate, durationS, keyPrefix: `${runTag}${name}-` }, (r) =>
            accepts.set(name, r),
          ),
        result.latency ? [result.latency.step] : [],
      );
      // Latency where the stack keeps up: the fixed latency rate may be beyond this machine.
      const hold = saga.sustained!;
      const accept = accepts.get(hold.name)!;
      const endToEnd = await probe.endToEnd(`${runTag}${hold.name}-`);
      result.saga = {
        ...saga,
        latency: {
          rate: hold.rate,
          accept: { count: accept.ok, ...accept.latency },
          endToEnd: distribution(endToEnd.acceptToConfirmedMs),
        },
      };
    }
    if (options.phases.has('ceiling')) {
      const driver = await createCeilingDriver(stack.infra.temporal.clientSettings, stack.ceilingWorkerUrl);
      try {
        result.ceilingVariants = {};
        for (const variant of options.ceilingVariants) {
          let startLatency;
          let eagerlyStarted = 0;
          const found = await search(
            variant === 'remote' ? 'ceiling' : `ceiling-${variant}`,
            options.ceiling,
            parts,
            (name, rate, durationS) =>
              ceilingDriver(driver, variant, `${runTag}${name}-`, rate, durationS, (run) => {
                startLatency = run.startLatency;
                eagerlyStarted = run.eagerlyStarted / Math.max(1, run.started);
              }),
          );
          result.ceilingVariants[variant] = {
            ...found,
            startLatency,
            eagerShare: CEILING_VARIANTS[variant].eager ? eagerlyStarted : undefined,
          };
        }
        // The saga is compared with one remote activity: today's ceiling, the figure of earlier runs.
        result.ceiling = result.ceilingVariants.remote;
      } finally {
        await driver.close();
      }
    }
  } finally {
    await probe.close();
    const memoryReport = memory.stop();
    const restarts = Object.fromEntries(stack.services.map((s) => [s.spec.name, s.restarts]));
    if (!interrupted) {
      progress('stopping the stack');
      await stack.stop();
      current = undefined;
      if (options.keepData) progress(`data and logs kept in ${stack.dataDir}`);
    }
    const complete: BenchResult = {
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      mode: options.quick ? 'quick' : 'full',
      temporalMode,
      label: options.label,
      settings: {
        phases: [...options.phases],
        temporal: options.temporal,
        latencyRate: options.latencyRate,
        multiShare: options.multiShare,
        durations,
        durable: options.durable,
        temporalDynamicConfig: options.temporalDynamicConfig,
        temporalPragmas: options.temporalPragmas,
        temporalEnv: options.temporalEnv,
        serviceEnv: options.serviceEnv,
        postgresSettings: options.postgresSettings,
      },
      machine: {
        cores: os.cpus().length,
        memoryGiB: os.totalmem() / 2 ** 30,
        loadAvgBefore,
        loadAvgAfter: os.loadavg(),
        calibrationMs: { before: calibrationBefore, after: calibrationMs() },
        node: process.version,
        ...versions,
      },
      startupS: stack.startup,
      ...result,
      sagaToCeiling:
        // Only rates that held compare: a ratio to an overloaded run means nothing.
        result.saga?.sustained?.sustained && result.ceiling?.sustained?.sustained
          ? result.saga.sustained.completedRate / result.ceiling.sustained.completedRate
          : undefined,
      memory: memoryReport,
      restarts,
      targets: targetsOf(result),
    };
    console.log(`\n${renderTable(complete)}\n`);
    progress(`JSON: ${path.relative(process.cwd(), writeResult(ROOT, options.outDir, complete))}`);
    results.push(complete);
  }
  return results.at(-1)!;
}

/** Every result so far, also of a run that failed half-way (its table is printed all the same). */
const results: BenchResult[] = [];

async function main(): Promise<void> {
  execFileSync('bash', [path.join(ROOT, 'scripts/provision.sh')], { stdio: 'inherit' });
  if (options.temporalModes.includes('server')) {
    // Idempotent, quick when built: the server, its sql tool and schema (as scripts/stack.ts does).
    execFileSync('bash', [path.join(ROOT, 'scripts/provision/temporal-server.sh')], { cwd: ROOT, stdio: 'inherit' });
  }
  for (const [index, mode] of options.temporalModes.entries()) {
    if (options.temporalModes.length > 1) {
      progress(`=== ${index + 1} of ${options.temporalModes.length}: Temporal ${mode === 'dev' ? 'dev server' : 'server (mTLS)'} ===`);
    }
    await runMode(mode);
    if (interrupted) return;
  }
  if (results.length > 1) console.log(`\n${renderComparison(results)}\n`);
}

await main().catch((err: unknown) => {
  console.error(`[bench] failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
