import fs from 'node:fs';
import os from 'node:os';
import { CLOCK_TICKS, listProcesses, treeTicks } from './procfs';

/** CPU used during a step, in cores (1.0 = one core busy the whole time). */
export interface CpuUse {
  /** The bench's process tree: the stack, the ceiling worker and the bench itself. */
  benchCores: number;
  /** Everything else on the machine (other engineers' tests, for example). */
  otherCores: number;
  /** Per part of the stack (its process tree). */
  parts: Record<string, number>;
  cores: number;
}

export interface CpuSnapshot {
  at: number;
  busyTicks: number;
  benchTicks: number;
  partTicks: Record<string, number>;
}

/** user nice system idle iowait irq softirq steal: busy is all but idle and iowait. */
function machineBusyTicks(): number {
  const fields = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
  return user + nice + system + irq + softirq + steal;
}

export function cpuSnapshot(parts: Record<string, number | undefined>): CpuSnapshot {
  const processes = listProcesses();
  return {
    at: Date.now(),
    busyTicks: machineBusyTicks(),
    benchTicks: treeTicks(process.pid, processes),
    partTicks: Object.fromEntries(Object.entries(parts).map(([part, pid]) => [part, treeTicks(pid, processes)])),
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
    cores: os.cpus().length,
  };
}
