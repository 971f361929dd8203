import { listProcesses, processTree, readProc } from './procfs';

/** Peak memory of one part of the stack, in MiB. */
export interface MemoryPeak {
  /**
   * Peak resident set: for a single process its VmHWM (the kernel's exact high-water mark); for
   * a process tree (Postgres: postmaster + backends) the highest sampled sum of VmRSS.
   */
  peakRssMiB: number;
  /** Most processes seen at once in the tree. */
  processes: number;
}

export interface MemoryReport {
  parts: Record<string, MemoryPeak>;
  /**
   * Highest sampled sum of PSS over every process of the stack: shared pages (Postgres' shared
   * buffers, shared libraries) are counted once, so this is what the stack really occupies.
   */
  stackPeakPssMiB: number;
  /** Sum of the parts' peaks: an upper bound that counts shared pages again in every process. */
  stackSumOfPeaksMiB: number;
  samples: number;
}

const kib = (text: string, field: string): number => {
  const match = text.match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
  return match ? Number(match[1]) : 0;
};

/**
 * Samples the stack's processes from /proc. `roots` is asked on every sample because a
 * supervised service that was restarted has a new pid.
 */
export class MemorySampler {
  private readonly peaks = new Map<string, MemoryPeak>();
  private stackPeakPssKiB = 0;
  private samples = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly roots: () => Record<string, number | undefined>,
    /** Parts measured but not part of the stack (the bench's own ceiling worker). */
    private readonly outsideStack: readonly string[] = [],
  ) {}

  sample(): void {
    const processes = listProcesses();
    let stackPssKiB = 0;
    for (const [part, root] of Object.entries(this.roots())) {
      if (root === undefined) continue;
      const pids = processTree(root, processes);
      if (pids.length === 0) continue;
      let rssKiB = 0;
      let hwmKiB = 0;
      for (const pid of pids) {
        const status = readProc(`/proc/${pid}/status`);
        if (!status) continue;
        rssKiB += kib(status, 'VmRSS');
        if (pid === root) hwmKiB = kib(status, 'VmHWM');
        if (!this.outsideStack.includes(part)) stackPssKiB += kib(readProc(`/proc/${pid}/smaps_rollup`) ?? '', 'Pss');
      }
      const peak = Math.max(pids.length === 1 ? hwmKiB : rssKiB, rssKiB) / 1024;
      const previous = this.peaks.get(part);
      this.peaks.set(part, {
        peakRssMiB: Math.max(previous?.peakRssMiB ?? 0, peak),
        processes: Math.max(previous?.processes ?? 0, pids.length),
      });
    }
    this.stackPeakPssKiB = Math.max(this.stackPeakPssKiB, stackPssKiB);
    this.samples += 1;
  }

  start(intervalMs: number): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  stop(): MemoryReport {
    clearInterval(this.timer);
    this.sample();
    const parts = Object.fromEntries(this.peaks);
    return {
      parts,
      stackPeakPssMiB: this.stackPeakPssKiB / 1024,
      stackSumOfPeaksMiB: Object.entries(parts)
        .filter(([part]) => !this.outsideStack.includes(part))
        .reduce((sum, [, p]) => sum + p.peakRssMiB, 0),
      samples: this.samples,
    };
  }
}
