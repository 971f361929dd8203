import fs from 'node:fs';
import path from 'node:path';
import type { TemporalMode } from '../infra/stack';
import { CEILING_VARIANTS, type CeilingVariant } from './ceiling/variants';
import type { CpuUse } from './cpu';
import type { MemoryReport } from './memory';
import type { Distribution, Sample } from './stats';

export interface StepResult {
  name: string;
  rate: number;
  durationS: number;
  planned: number;
  sent: number;
  errors: number;
  dropped: number;
  /** Completions per second over the step's steady window. */
  completedRate: number;
  /** Completions per second from the start of the load until drained (about the capacity when overloaded). */
  busyRate: number;
  backlogSlope: number;
  backlogMax: number;
  /** Backlog left when the load stopped, and seconds it took to drain to zero (undefined: did not). */
  backlogAtEnd: number;
  drainedInS?: number;
  sustained: boolean;
  reasons: string[];
  cpu: CpuUse;
  backlog: Sample[];
}

export interface SearchResult {
  steps: StepResult[];
  /** Sustained runs that did not hold, each followed by one about 10% lower. */
  failedHolds: StepResult[];
  bestRate: number;
  sustained?: StepResult;
}

export interface CeilingResult extends SearchResult {
  startLatency?: Distribution;
  /** Of an eager variant's starts, the share the server actually started eagerly. */
  eagerShare?: number;
}

export interface SagaResult extends SearchResult {
  /** Accept and end-to-end latency during the sustained run. */
  latency: { rate: number; accept: Distribution; endToEnd: Distribution };
}

export interface LatencyResult {
  rate: number;
  accept: Distribution & { errors: number; dropped: number };
  endToEnd: Distribution;
  saga: Distribution;
  /** Orders of the phase that ended FAILED or CANCELLED (should be none). */
  notConfirmed: number;
  replay: Distribution & { errors: number; notMarkedReplayed: number };
  /** The accept run as a throughput step: whether the stack sustained the rate at all. */
  step: StepResult;
}

export interface Target {
  name: string;
  goal: string;
  value: number | undefined;
  unit: string;
  met: boolean | undefined;
}

export interface BenchResult {
  startedAt: string;
  finishedAt: string;
  mode: 'quick' | 'full';
  /** The Temporal this run measured: the CLI's dev server or the real server (one process per service, mTLS). */
  temporalMode: TemporalMode;
  label?: string;
  settings: Record<string, unknown>;
  machine: {
    cores: number;
    memoryGiB: number;
    loadAvgBefore: number[];
    loadAvgAfter: number[];
    /** bench/calibrate.ts before the stack started and after it stopped: lower is a faster machine. */
    calibrationMs: { before: number; after: number };
    node: string;
    /** The load generator. */
    load: string;
    temporal: string;
  };
  startupS: Record<string, number>;
  latency?: LatencyResult;
  saga?: SagaResult;
  /** The ceiling's remote variant (one remote activity), the figure the saga is compared with. */
  ceiling?: CeilingResult;
  /** Every ceiling variant measured (bench/ceiling/variants.ts), in the order run. */
  ceilingVariants?: Partial<Record<CeilingVariant, CeilingResult>>;
  sagaToCeiling?: number;
  memory: MemoryReport;
  restarts: Record<string, number>;
  targets: Target[];
}

const ms = (value: number | undefined) =>
  value === undefined || Number.isNaN(value) ? '-' : value < 10 ? value.toFixed(1) : value.toFixed(0);
const pad = (text: string, width: number) => text.padEnd(width);
const padL = (text: string, width: number) => text.padStart(width);

export function targetsOf(result: Pick<BenchResult, 'latency' | 'saga'>): Target[] {
  const check = (name: string, goal: string, value: number | undefined, unit: string, ok: (v: number) => boolean): Target => ({
    name,
    goal,
    value,
    unit,
    met: value === undefined || Number.isNaN(value) ? undefined : ok(value),
  });
  return [
    check('saga throughput (sustained)', '>= 100', result.saga?.sustained?.completedRate, 'orders/s', (v) => v >= 100),
    check('accept p99 at 50/s', '<= 25', result.latency?.accept.p99, 'ms', (v) => v <= 25),
    check('end-to-end p99 at 50/s', '<= 300', result.latency?.endToEnd.p99, 'ms', (v) => v <= 300),
    check('replay p99', '<= 10', result.latency?.replay.p99, 'ms', (v) => v <= 10),
  ];
}

const LABEL = 46;

function distributionRow(label: string, d: Distribution, note = ''): string {
  return `  ${pad(label, LABEL)}${[d.p50, d.p95, d.p99, d.max].map((v) => padL(ms(v), 8)).join('')}${padL(String(d.count), 8)}  ${note}`.trimEnd();
}

function stepsLine(steps: StepResult[]): string {
  return steps
    .map((s) => `${s.rate}/s ${s.sustained ? 'ok' : `NO (${s.reasons[0]}; ${s.busyRate.toFixed(1)}/s done incl. drain)`}`)
    .join(', ');
}

function cpuNote(cpu: CpuUse): string {
  return `cpu: bench ${cpu.benchCores.toFixed(2)} + other processes ${cpu.otherCores.toFixed(2)} of ${cpu.cores} cores`;
}

/** CPU milliseconds each part spent per completion: what limits throughput on a small machine. */
function cpuPerCompletion(step: Pick<StepResult, 'cpu' | 'completedRate'>): Record<string, number> {
  if (step.completedRate <= 0) return {};
  return Object.fromEntries(Object.entries(step.cpu.parts).map(([part, cores]) => [part, (cores * 1000) / step.completedRate]));
}

/** The parts that are Temporal: the dev server ('temporal'), or the real server's services ('temporal-history', ...). */
export const isTemporalPart = (part: string) => part === 'temporal' || part.startsWith('temporal-');

/** The sub-part (cpu.ts) of Postgres that is the real server's persistence: its role's backends. */
export const TEMPORAL_POSTGRES = "postgres: Temporal's role";

/** The bench's own ceiling worker: measured, but not part of the stack. */
export const CEILING_WORKER = 'ceiling worker (bench only)';

/**
 * CPU ms per completion of Temporal: every Temporal process summed (one in dev mode, four in
 * server mode), and the same plus the Postgres backends of Temporal's role (the real server
 * persists there; the dev server's SQLite work is inside its one process).
 */
export function temporalCpuPerCompletion(
  step: Pick<StepResult, 'cpu' | 'completedRate'>,
): { server: number; withPostgres: number } | undefined {
  if (step.completedRate <= 0) return undefined;
  const perPart = cpuPerCompletion(step);
  const server = Object.entries(perPart)
    .filter(([part]) => isTemporalPart(part))
    .reduce((sum, [, value]) => sum + value, 0);
  const postgres = ((step.cpu.subParts?.[TEMPORAL_POSTGRES] ?? 0) * 1000) / step.completedRate;
  return { server, withPostgres: server + postgres };
}

/** CPU ms per completion of every part of the stack (the ceiling worker excluded). */
export function stackCpuPerCompletion(step: Pick<StepResult, 'cpu' | 'completedRate'>): number | undefined {
  if (step.completedRate <= 0) return undefined;
  return Object.entries(cpuPerCompletion(step))
    .filter(([part]) => part !== CEILING_WORKER)
    .reduce((sum, [, value]) => sum + value, 0);
}

/** The per-part line, Temporal's processes summed into one figure (with their split when several). */
function cpuPerCompletionLine(step: StepResult): string {
  const perPart = cpuPerCompletion(step);
  const temporalParts = Object.entries(perPart).filter(([part]) => isTemporalPart(part));
  const entries: [string, number, string][] = Object.entries(perPart)
    .filter(([part]) => !isTemporalPart(part))
    .map(([part, value]) => {
      const share = ((step.cpu.subParts?.[TEMPORAL_POSTGRES] ?? 0) * 1000) / step.completedRate;
      return [part, value, part === 'postgres' && share >= 0.05 ? ` (Temporal's role ${share.toFixed(1)})` : ''];
    });
  if (temporalParts.length > 0) {
    const total = temporalParts.reduce((sum, [, value]) => sum + value, 0);
    const split =
      temporalParts.length > 1
        ? ` (${temporalParts.map(([part, value]) => `${part.replace(/^temporal-/, '')} ${value.toFixed(1)}`).join(', ')})`
        : '';
    entries.push(['temporal', total, split]);
  }
  return entries
    .filter(([part, value]) => value >= 0.5 || part === 'temporal')
    .sort(([, a], [, b]) => b - a)
    .map(([part, value, note]) => `${part} ${value.toFixed(1)}${note}`)
    .join(', ');
}

function throughputRows(label: string, search: SearchResult, unit: string): string[] {
  const s = search.sustained;
  if (!s) return [`  ${pad(label, 40)}not measured (no step ran)`];
  const flat = s.sustained ? 'backlog flat' : `NOT sustained: ${s.reasons.join('; ')}`;
  return [
    `  ${pad(label, 40)}${padL(s.completedRate.toFixed(1), 8)} ${unit}  (offered ${s.rate}/s for ${s.durationS} s; ${flat}, slope ${s.backlogSlope >= 0 ? '+' : ''}${s.backlogSlope.toFixed(2)}/s, max ${s.backlogMax})`,
    `  ${pad('', 40)}steps: ${stepsLine(search.steps)}`,
    ...(search.failedHolds.length > 0 ? [`  ${pad('', 40)}holds that failed: ${stepsLine(search.failedHolds)}`] : []),
    `  ${pad('', 40)}${cpuNote(s.cpu)}`,
    `  ${pad('', 40)}cpu ms per completion: ${cpuPerCompletionLine(s)}`,
  ];
}

/** One line per ceiling variant: what it sustained and what one workflow cost Temporal and the worker. */
function ceilingVariantRows(variants: NonNullable<BenchResult['ceilingVariants']>): string[] {
  const header = `  ${pad('variant', 62)}${['wf/s', 'temporal', '+pg', 'worker', 'start p50', 'p99'].map((h) => padL(h, 10)).join('')}`;
  const rows = Object.entries(variants).map(([name, found]) => {
    const held = found.sustained;
    const what = `${name}: ${CEILING_VARIANTS[name as CeilingVariant].what}`;
    if (!held) return `  ${pad(what, 62)}not measured`;
    const temporal = temporalCpuPerCompletion(held);
    const worker = held.completedRate > 0 ? cpuPerCompletion(held)[CEILING_WORKER] : undefined;
    const eager = found.eagerShare === undefined ? '' : `  (${(found.eagerShare * 100).toFixed(0)}% started eagerly)`;
    const flat = held.sustained ? '' : '  NOT sustained';
    return `  ${pad(what, 62)}${[
      held.completedRate.toFixed(1),
      ms(temporal?.server),
      ms(temporal?.withPostgres),
      ms(worker),
      ms(found.startLatency?.p50),
      ms(found.startLatency?.p99),
    ]
      .map((cell) => padL(cell, 10))
      .join('')}${eager}${flat}`;
  });
  return [
    'Ceiling variants (sustained wf/s; CPU ms per workflow: Temporal, Temporal + its Postgres, the ceiling worker)',
    header,
    ...rows,
    '',
  ];
}

export function renderTable(result: BenchResult): string {
  const lines: string[] = [];
  const m = result.machine;
  lines.push(
    `Valerix bench, ${result.mode} run, ${temporalName(result.temporalMode)}, ${result.startedAt}${result.label ? `, "${result.label}"` : ''}`,
    `  machine: ${m.cores} cores, ${m.memoryGiB.toFixed(0)} GiB; load average before ${m.loadAvgBefore.map((v) => v.toFixed(2)).join(' ')}, after ${m.loadAvgAfter.map((v) => v.toFixed(2)).join(' ')}`,
    `  cpu speed: a fixed one-core job took ${m.calibrationMs.before.toFixed(0)} ms before, ${m.calibrationMs.after.toFixed(0)} ms after (lower is faster; compare runs by it)`,
    `  ${m.load}; ${m.temporal}; node ${m.node}`,
    '',
  );
  if (result.saga || result.ceiling) {
    lines.push('Throughput (completions per second over the sustained run)');
    if (result.saga) lines.push(...throughputRows('saga end-to-end (CONFIRMED/s)', result.saga, 'orders/s'));
    if (result.ceiling) lines.push(...throughputRows('ceiling: no-op workflow + activity', result.ceiling, 'wf/s    '));
    if (result.sagaToCeiling !== undefined) lines.push(`  ${pad('ratio saga / ceiling', 40)}${padL(result.sagaToCeiling.toFixed(2), 8)}`);
    lines.push('');
  }
  if (result.ceilingVariants && Object.keys(result.ceilingVariants).length > 1) lines.push(...ceilingVariantRows(result.ceilingVariants));
  const l = result.latency;
  if (l || result.saga || result.ceiling?.startLatency) {
    lines.push(`${pad('Latency (ms)', LABEL + 2)}${['p50', 'p95', 'p99', 'max', 'n'].map((h) => padL(h, 8)).join('')}`);
    if (l) {
      const errors = (n: number, what: string) => (n ? `${n} ${what}` : '');
      lines.push(
        distributionRow(
          `accept at ${l.rate}/s (POST -> 202)`,
          l.accept,
          [errors(l.accept.errors, 'errors'), errors(l.accept.dropped, 'not sent')].filter(Boolean).join(', '),
        ),
      );
      lines.push(distributionRow(`end-to-end at ${l.rate}/s (accept -> CONFIRMED)`, l.endToEnd, errors(l.notConfirmed, 'not confirmed')));
      lines.push(distributionRow('  of which saga (workflow start -> CONF.)', l.saga));
      lines.push(
        distributionRow(
          `replay at ${l.rate}/s (same key + body)`,
          l.replay,
          [errors(l.replay.errors, 'errors'), errors(l.replay.notMarkedReplayed, 'not marked replayed')].filter(Boolean).join(', '),
        ),
      );
      if (!l.step.sustained) lines.push(`  NOTE: ${l.rate}/s was not sustained (${l.step.reasons[0]}): these figures include queueing`);
    }
    if (result.saga) {
      const held = result.saga.latency;
      lines.push(distributionRow(`accept at ${held.rate}/s (sustained saga run)`, held.accept));
      lines.push(distributionRow(`end-to-end at ${held.rate}/s (sustained saga run)`, held.endToEnd));
    }
    if (result.ceiling?.startLatency) {
      lines.push(
        distributionRow(
          `ceiling: start at ${result.ceiling.sustained?.rate}/s (sustained)`,
          result.ceiling.startLatency,
          'StartWorkflowExecution',
        ),
      );
    }
    if (l) lines.push(`  latency phase ${cpuNote(l.step.cpu)}`);
    lines.push('');
  }
  lines.push(`Memory: peak RSS (MiB)`);
  for (const [part, peak] of Object.entries(result.memory.parts)) {
    lines.push(
      `  ${pad(part, 40)}${padL(peak.peakRssMiB.toFixed(0), 8)}${peak.processes > 1 ? `  (${peak.processes} processes at most)` : ''}`,
    );
  }
  for (const [group, sums] of Object.entries(result.memory.groups ?? {})) {
    if (sums.parts.length < 2) continue; // one process: its line above says it
    lines.push(
      `  ${pad(`${group}, all ${sums.parts.length} processes (sum)`, 40)}${padL(sums.peakRssMiB.toFixed(0), 8)}  (idle after start ${sums.idleRssMiB.toFixed(0)})`,
    );
  }
  lines.push(
    `  ${pad('whole stack, peak sum of PSS', 40)}${padL(result.memory.stackPeakPssMiB.toFixed(0), 8)}  (sum of the peaks above: ${result.memory.stackSumOfPeaksMiB.toFixed(0)})`,
    '',
  );
  const restarts = Object.entries(result.restarts).filter(([, n]) => n > 0);
  if (restarts.length) lines.push(`WARNING restarts during the run: ${restarts.map(([name, n]) => `${name} ${n}`).join(', ')}`, '');
  lines.push('Targets');
  for (const t of result.targets) {
    const value = t.value === undefined || Number.isNaN(t.value) ? 'not measured' : `${ms(t.value)} ${t.unit}`;
    lines.push(
      `  ${pad(t.name, 40)}${pad(`${t.goal} ${t.unit}`, 16)}${pad(value, 18)}${t.met === undefined ? '' : t.met ? 'met' : 'MISSED'}`,
    );
  }
  return lines.join('\n');
}

const temporalName = (mode: TemporalMode) => (mode === 'dev' ? 'Temporal dev server' : 'Temporal server (mTLS)');

/** One figure per run, for the comparison table. */
interface ComparisonRow {
  label: string;
  cell(result: BenchResult): string;
}

const fixed = (value: number | undefined, digits = 1) => (value === undefined || Number.isNaN(value) ? '-' : value.toFixed(digits));

function comparisonRows(): ComparisonRow[] {
  const held = (search: SearchResult | undefined) => search?.sustained;
  const heldRate = (search: SearchResult | undefined) => {
    const s = held(search);
    return s ? `${s.completedRate.toFixed(1)}${s.sustained ? '' : ' (NOT held)'}` : '-';
  };
  const pair = (a: number | undefined, b: number | undefined) => `${ms(a)} / ${ms(b)}`;
  const temporalCpu = (search: SearchResult | undefined, which: 'server' | 'withPostgres') => {
    const s = held(search);
    return s ? fixed(temporalCpuPerCompletion(s)?.[which]) : '-';
  };
  const temporalMemory = (r: BenchResult) => Object.entries(r.memory.groups ?? {}).find(([group]) => group === 'temporal')?.[1];
  return [
    { label: 'saga sustained, orders/s', cell: (r) => heldRate(r.saga) },
    { label: 'ceiling sustained, wf/s', cell: (r) => heldRate(r.ceiling) },
    { label: 'ratio saga / ceiling', cell: (r) => fixed(r.sagaToCeiling, 2) },
    {
      label: 'accept p50 / p99 at the latency rate, ms',
      cell: (r) => (r.latency ? pair(r.latency.accept.p50, r.latency.accept.p99) : '-'),
    },
    {
      label: 'end-to-end p50 / p99 at the latency rate',
      cell: (r) => (r.latency ? pair(r.latency.endToEnd.p50, r.latency.endToEnd.p99) : '-'),
    },
    { label: 'replay p99, ms', cell: (r) => ms(r.latency?.replay.p99) },
    {
      label: 'accept p99 at the sustained saga rate',
      cell: (r) => (r.saga ? `${ms(r.saga.latency.accept.p99)} at ${r.saga.latency.rate}/s` : '-'),
    },
    {
      label: 'end-to-end p99 at the sustained saga rate',
      cell: (r) => (r.saga ? `${ms(r.saga.latency.endToEnd.p99)} at ${r.saga.latency.rate}/s` : '-'),
    },
    {
      label: 'ceiling StartWorkflow p50 / p99, ms',
      cell: (r) => (r.ceiling?.startLatency ? pair(r.ceiling.startLatency.p50, r.ceiling.startLatency.p99) : '-'),
    },
    { label: 'Temporal CPU ms per order', cell: (r) => temporalCpu(r.saga, 'server') },
    { label: '  + its Postgres backends', cell: (r) => temporalCpu(r.saga, 'withPostgres') },
    { label: 'Temporal CPU ms per ceiling wf', cell: (r) => temporalCpu(r.ceiling, 'server') },
    { label: '  + its Postgres backends', cell: (r) => temporalCpu(r.ceiling, 'withPostgres') },
    { label: 'whole stack CPU ms per order', cell: (r) => (held(r.saga) ? fixed(stackCpuPerCompletion(held(r.saga)!)) : '-') },
    { label: 'Temporal processes', cell: (r) => String(temporalMemory(r)?.parts.length ?? '-') },
    {
      label: 'Temporal RSS idle / peak, MiB',
      cell: (r) => {
        const t = temporalMemory(r);
        return t ? `${t.idleRssMiB.toFixed(0)} / ${t.peakRssMiB.toFixed(0)}` : '-';
      },
    },
    { label: 'whole stack peak PSS, MiB', cell: (r) => r.memory.stackPeakPssMiB.toFixed(0) },
    { label: 'infrastructure startup, s', cell: (r) => fixed(r.startupS.infrastructure) },
    { label: 'other processes in the saga hold, cores', cell: (r) => fixed(held(r.saga)?.cpu.otherCores, 2) },
    {
      label: 'cpu speed before / after, ms',
      cell: (r) => `${r.machine.calibrationMs.before.toFixed(0)} / ${r.machine.calibrationMs.after.toFixed(0)}`,
    },
  ];
}

/** One column per run (dev server, then real server): the figures that differ between the modes. */
export function renderComparison(results: BenchResult[]): string {
  const width = 24;
  const lines = [
    `Dev server vs real server (${results[0]?.mode ?? ''} run; each column its own fresh stack, run one after the other)`,
    `  ${pad('', LABEL)}${results.map((r) => padL(r.temporalMode === 'dev' ? 'dev server' : 'server (mTLS)', width)).join('')}`,
  ];
  for (const row of comparisonRows()) lines.push(`  ${pad(row.label, LABEL)}${results.map((r) => padL(row.cell(r), width)).join('')}`);
  lines.push(
    '  Temporal CPU sums every Temporal process; "+ its Postgres backends" adds the stack Postgres backends of',
    "  Temporal's role (the real server persists there; the dev server's SQLite work is inside its one process).",
    '  Temporal RSS: sampled sum of VmRSS of the Temporal processes; idle = right after start, before any load.',
  );
  return lines.join('\n');
}

export function writeResult(root: string, outDir: string, result: BenchResult): string {
  const dir = path.resolve(root, outDir);
  fs.mkdirSync(dir, { recursive: true });
  // The mode in the name: a --temporal both run writes one file per mode.
  const file = path.join(dir, `${result.startedAt.replace(/[:.]/g, '-')}-${result.temporalMode}.json`);
  fs.writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}
