import fs from 'node:fs';
import path from 'node:path';
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
  bestRate: number;
  sustained?: StepResult;
}

export interface LatencyResult {
  rate: number;
  accept: Distribution & { errors: number; dropped: number };
  endToEnd: Distribution;
  saga: Distribution;
  /** Orders of the phase that ended FAILED or CANCELLED (should be none). */
  notConfirmed: number;
  replay: Distribution & { errors: number; notMarkedReplayed: number };
  cpu: CpuUse;
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
  label?: string;
  settings: Record<string, unknown>;
  machine: {
    cores: number;
    memoryGiB: number;
    loadAvgBefore: number[];
    loadAvgAfter: number[];
    node: string;
    k6: string;
    temporal: string;
  };
  startupS: Record<string, number>;
  latency?: LatencyResult;
  saga?: SearchResult;
  ceiling?: SearchResult & { startLatency?: Distribution };
  sagaToCeiling?: number;
  memory: MemoryReport;
  restarts: Record<string, number>;
  targets: Target[];
}

const ms = (value: number | undefined) => (value === undefined || Number.isNaN(value) ? '-' : value < 10 ? value.toFixed(1) : value.toFixed(0));
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

function distributionRow(label: string, d: Distribution, note = ''): string {
  return `  ${pad(label, 40)}${padL(ms(d.p50), 8)}${padL(ms(d.p95), 8)}${padL(ms(d.p99), 8)}${padL(ms(d.max), 8)}${padL(String(d.count), 8)}  ${note}`;
}

function stepsLine(search: SearchResult): string {
  return search.steps
    .map((s) => `${s.rate}/s ${s.sustained ? 'ok' : `NO (${s.reasons.join('; ')})`}`)
    .join(', ');
}

function cpuNote(cpu: CpuUse): string {
  return `cpu: bench ${cpu.benchCores.toFixed(2)} + other processes ${cpu.otherCores.toFixed(2)} of ${cpu.cores} cores`;
}

/** CPU milliseconds each part spent per completion: what limits throughput on a small machine. */
export function cpuPerCompletion(step: Pick<StepResult, 'cpu' | 'completedRate'>): Record<string, number> {
  if (step.completedRate <= 0) return {};
  return Object.fromEntries(Object.entries(step.cpu.parts).map(([part, cores]) => [part, (cores * 1000) / step.completedRate]));
}

function throughputRows(label: string, search: SearchResult, unit: string): string[] {
  const s = search.sustained;
  if (!s) return [`  ${pad(label, 40)}not measured (no step ran)`];
  const flat = s.sustained ? 'backlog flat' : `NOT sustained: ${s.reasons.join('; ')}`;
  return [
    `  ${pad(label, 40)}${padL(s.completedRate.toFixed(1), 8)} ${unit}  (offered ${s.rate}/s for ${s.durationS} s; ${flat}, slope ${s.backlogSlope >= 0 ? '+' : ''}${s.backlogSlope.toFixed(2)}/s, max ${s.backlogMax})`,
    `  ${pad('', 40)}steps: ${stepsLine(search)}`,
    `  ${pad('', 40)}${cpuNote(s.cpu)}`,
    `  ${pad('', 40)}cpu ms per completion: ${Object.entries(cpuPerCompletion(s))
      .filter(([, value]) => value >= 0.5)
      .sort(([, a], [, b]) => b - a)
      .map(([part, value]) => `${part} ${value.toFixed(1)}`)
      .join(', ')}`,
  ];
}

export function renderTable(result: BenchResult): string {
  const lines: string[] = [];
  const m = result.machine;
  lines.push(
    `Valerix bench, ${result.mode} run, ${result.startedAt}${result.label ? `, "${result.label}"` : ''}`,
    `  machine: ${m.cores} cores, ${m.memoryGiB.toFixed(0)} GiB; load average before ${m.loadAvgBefore.map((v) => v.toFixed(2)).join(' ')}, after ${m.loadAvgAfter.map((v) => v.toFixed(2)).join(' ')}`,
    `  ${m.k6}; ${m.temporal}; node ${m.node}`,
    '',
  );
  if (result.saga || result.ceiling) {
    lines.push('Throughput (completions per second over the sustained run)');
    if (result.saga) lines.push(...throughputRows('saga end-to-end (CONFIRMED/s)', result.saga, 'orders/s'));
    if (result.ceiling) lines.push(...throughputRows('ceiling: no-op workflow + activity', result.ceiling, 'wf/s    '));
    if (result.sagaToCeiling !== undefined) lines.push(`  ${pad('ratio saga / ceiling', 40)}${padL(result.sagaToCeiling.toFixed(2), 8)}`);
    lines.push('');
  }
  if (result.latency) {
    const l = result.latency;
    lines.push(`Latency at ${l.rate}/s (ms)${' '.repeat(21)}     p50     p95     p99     max       n`);
    lines.push(distributionRow('accept (POST -> 202)', l.accept, l.accept.errors || l.accept.dropped ? `${l.accept.errors} errors, ${l.accept.dropped} not sent` : ''));
    lines.push(distributionRow('end-to-end (accept -> CONFIRMED)', l.endToEnd, l.notConfirmed ? `${l.notConfirmed} not confirmed` : ''));
    lines.push(distributionRow('  of which saga (workflow start -> CONF.)', l.saga));
    lines.push(distributionRow('replay (same key + body)', l.replay, l.replay.errors || l.replay.notMarkedReplayed ? `${l.replay.errors} errors, ${l.replay.notMarkedReplayed} not marked replayed` : ''));
    if (result.ceiling?.startLatency) lines.push(distributionRow('ceiling: StartWorkflowExecution', result.ceiling.startLatency, '(at the ceiling rate)'));
    lines.push(`  ${cpuNote(l.cpu)}`, '');
  }
  lines.push(`Memory: peak RSS (MiB)`);
  for (const [part, peak] of Object.entries(result.memory.parts)) {
    lines.push(`  ${pad(part, 40)}${padL(peak.peakRssMiB.toFixed(0), 8)}${peak.processes > 1 ? `  (${peak.processes} processes at most)` : ''}`);
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
    lines.push(`  ${pad(t.name, 40)}${pad(`${t.goal} ${t.unit}`, 16)}${pad(value, 18)}${t.met === undefined ? '' : t.met ? 'met' : 'MISSED'}`);
  }
  return lines.join('\n');
}

export function writeResult(root: string, outDir: string, result: BenchResult): string {
  const dir = path.resolve(root, outDir);
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${result.startedAt.replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}
