import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

export const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

export interface ProcessInfo {
  ppid: number;
  /** utime + stime + cutime + cstime: children that exited count in their reaper's ticks. */
  ticks: number;
}

export function readProc(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined; // the process exited between listing and reading
  }
}

/** Every live process, from /proc/<pid>/stat (fields counted after the parenthesised name). */
export function listProcesses(): Map<number, ProcessInfo> {
  const result = new Map<number, ProcessInfo>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readProc(`/proc/${entry}/stat`);
    if (!stat) continue;
    // state(0) ppid(1) ... utime(11) stime(12) cutime(13) cstime(14)
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
    result.set(Number(entry), { ppid: Number(fields[1]), ticks });
  }
  return result;
}

/** root and all its descendants that are alive. */
export function processTree(root: number, processes: Map<number, ProcessInfo>): number[] {
  if (!processes.has(root)) return [];
  const pids = [root];
  for (let i = 0; i < pids.length; i += 1) {
    for (const [pid, { ppid }] of processes) if (ppid === pids[i]) pids.push(pid);
  }
  return pids;
}

export function treeTicks(root: number | undefined, processes: Map<number, ProcessInfo>): number {
  if (root === undefined) return 0;
  return processTree(root, processes).reduce((sum, pid) => sum + (processes.get(pid)?.ticks ?? 0), 0);
}
