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

/** Several parts together (every Temporal process): sampled sums of VmRSS. */
export interface MemoryGroup {
  /** At the first sample: the stack started, no load yet. */
  idleRssMiB: number;
  /** Highest sampled sum. */
  peakRssMiB: number;
  /** The parts seen in the group. */
  parts: string[];
}

export interface MemoryReport {
  parts: Record<string, MemoryPeak>;
  groups: Record<string, MemoryGroup>;
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
  private readonly groupStats = new Map<string, MemoryGroup>();
  private stackPeakPssKiB = 0;
  private samples = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly roots: () => Record<string, number | undefined>,
    /** Parts measured but not part of the stack (the bench's own ceiling worker). */
    private readonly outsideStack: readonly string[] = [],
    /** Groups of parts reported as a whole, by a test of the part's name. */
    private readonly groups: Record<string, (part: string) => boolean> = {},
  ) {}

  sample(): void {
    const processes = listProcesses();
    let stackPssKiB = 0;
    const groupKiB = new Map<string, { rss: number; parts: string[] }>(
      Object.keys(this.groups).map((group) => [group, { rss: 0, parts: [] }]),
    );
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
      for (const [group, inGroup] of Object.entries(this.groups)) {
        if (!inGroup(part)) continue;
        const sum = groupKiB.get(group)!;
        sum.rss += rssKiB;
        sum.parts.push(part);
      }
      const peak = Math.max(pids.length === 1 ? hwmKiB : rssKiB, rssKiB) / 1024;
      const previous = this.peaks.get(part);
      this.peaks.set(part, {
        peakRssMiB: Math.max(previous?.peakRssMiB ?? 0, peak),
        processes: Math.max(previous?.processes ?? 0, pids.length),
      });
    }
    this.stackPeakPssKiB = Math.max(this.stackPeakPssKiB, stackPssKiB);
    for (const [group, { rss, parts }] of groupKiB) {
      if (parts.length === 0) continue;
      const previous = this.groupStats.get(group);
      this.groupStats.set(group, {
        idleRssMiB: previous?.idleRssMiB ?? rss / 1024,
        peakRssMiB: Math.max(previous?.peakRssMiB ?? 0, rss / 1024),
        parts: [...new Set([...(previous?.parts ?? []), ...parts])],
      });
    }
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
      groups: Object.fromEntries(this.groupStats),
      stackPeakPssMiB: this.stackPeakPssKiB / 1024,
      stackSumOfPeaksMiB: Object.entries(parts)
        .filter(([part]) => !this.outsideStack.includes(part))
        .reduce((sum, [, p]) => sum + p.peakRssMiB, 0),
      samples: this.samples,
    };
  }
}
