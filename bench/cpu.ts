import fs from 'node:fs';
import os from 'node:os';
import { CLOCK_TICKS, listProcesses, processTree, readProc, treeTicks } from './procfs';

/** CPU used during a step, in cores (1.0 = one core busy the whole time). */
export interface CpuUse {
  /** The bench's process tree: the stack, the ceiling worker and the bench itself. */
  benchCores: number;
  /** Everything else on the machine (other engineers' tests, for example). */
  otherCores: number;
  /** Per part of the stack (its process tree). */
  parts: Record<string, number>;
  /** Shares of a part, already counted in it (the Postgres backends of Temporal's own role). */
  subParts: Record<string, number>;
  cores: number;
}

/**
 * The processes of a part's tree whose command line matches: Postgres names each backend
 * `postgres: <role> <database> <client> <state>`, so the real server's share of Postgres shows.
 */
export interface SubPart {
  of: string;
  matches(cmdline: string): boolean;
}

export interface CpuSnapshot {
  at: number;
  busyTicks: number;
  benchTicks: number;
  partTicks: Record<string, number>;
  /** Ticks per pid of each sub-part: its processes come and go (connection pools). */
  subPartTicks: Record<string, Map<number, number>>;
}

/** user nice system idle iowait irq softirq steal: busy is all but idle and iowait. */
function machineBusyTicks(): number {
  const fields = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
  return user + nice + system + irq + softirq + steal;
}

export function cpuSnapshot(parts: Record<string, number | undefined>, subParts: Record<string, SubPart> = {}): CpuSnapshot {
  const processes = listProcesses();
  const subPartTicks = (subPart: SubPart): Map<number, number> => {
    const root = parts[subPart.of];
    const pids = root === undefined ? [] : processTree(root, processes);
    const matching = pids.filter((pid) => subPart.matches((readProc(`/proc/${pid}/cmdline`) ?? '').replaceAll('\0', ' ').trim()));
    return new Map(matching.map((pid) => [pid, processes.get(pid)?.ticks ?? 0]));
  };
  return {
    at: Date.now(),
    busyTicks: machineBusyTicks(),
    benchTicks: treeTicks(process.pid, processes),
    partTicks: Object.fromEntries(Object.entries(parts).map(([part, pid]) => [part, treeTicks(pid, processes)])),
    subPartTicks: Object.fromEntries(Object.entries(subParts).map(([name, subPart]) => [name, subPartTicks(subPart)])),
  };
}

export function cpuBetween(start: CpuSnapshot, end: CpuSnapshot): CpuUse {
  const seconds = Math.max(0.001, (end.at - start.at) / 1000);
  // A part restarted in between has a new pid and fresh counters: clamp instead of going negative.
  const cores = (ticks: number) => Math.max(0, ticks) / CLOCK_TICKS / seconds;
  const bench = cores(end.benchTicks - start.benchTicks);
  return {
    benchCores: bench,
    otherCores: Math.max(0, cores(end.busyTicks - start.busyTicks) - bench),
    parts: Object.fromEntries(Object.entries(end.partTicks).map(([part, ticks]) => [part, cores(ticks - (start.partTicks[part] ?? 0))])),
    // A backend that exited during the step takes its ticks with it: a slight undercount.
    subParts: Object.fromEntries(
      Object.entries(end.subPartTicks).map(([name, pids]) => {
        const before = start.subPartTicks[name] ?? new Map<number, number>();
        return [name, cores([...pids].reduce((sum, [pid, ticks]) => sum + Math.max(0, ticks - (before.get(pid) ?? 0)), 0))];
      }),
    ),
    cores: os.cpus().length,
  };
}
