import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface K6Run {
  baseUrl: string;
  mode: 'accept' | 'replay';
  rate: number;
  durationS: number;
  keyPrefix: string;
  items: readonly string[];
  multiShare: number;
  /** replay: how many keys of keyPrefix exist (0..n-1). */
  replayCount?: number;
}

export interface K6Result {
  planned: number;
  ok: number;
  failed: number;
  dropped: number;
  /** Answers that did (replay) or did not (accept) carry Idempotency-Replayed when they should. */
  replayMismatch: number;
  /** POST round trip of the 201/202 answers, ms. */
  latency: { p50: number; p95: number; p99: number; max: number };
}

interface Summary {
  metrics: Record<string, { values: Record<string, number> } | undefined>;
}

export function k6Path(root: string): string {
  return path.join(root, '.tools', 'bin', 'k6');
}

export function k6Version(binary: string): string {
  return execFileSync(binary, ['version'], { encoding: 'utf8' }).split('\n')[0]!.trim();
}

/** k6's exit code after an interrupt: it stopped early but still wrote its summary. */
const K6_INTERRUPTED = 105;

/**
 * One k6 process per step: the bench decides the next rate from what this one measured. An
 * abort stops it early (SIGINT: k6 winds down and still writes its summary).
 */
export async function runK6(binary: string, script: string, workDir: string, run: K6Run, signal?: AbortSignal): Promise<K6Result> {
  const summaryPath = path.join(workDir, `k6-${run.keyPrefix}summary.json`);
  const logPath = path.join(workDir, 'logs', 'k6.log');
  const env: Record<string, string> = {
    BASE_URL: run.baseUrl,
    MODE: run.mode,
    RATE: String(run.rate),
    DURATION_S: String(run.durationS),
    KEY_PREFIX: run.keyPrefix,
    ITEMS: run.items.join(','),
    MULTI_SHARE: String(run.multiShare),
    REPLAY_COUNT: String(run.replayCount ?? 0),
    SUMMARY_PATH: summaryPath,
  };
  const args = ['run', '--quiet', '--no-usage-report', ...Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]), script];
  fs.appendFileSync(logPath, `\n=== k6 ${args.join(' ')}\n`);
  const log = fs.openSync(logPath, 'a');
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['ignore', log, log] });
    const abort = () => child.kill('SIGINT');
    signal?.addEventListener('abort', abort, { once: true });
    child.once('error', reject);
    child.once('exit', (exitCode) => {
      signal?.removeEventListener('abort', abort);
      resolve(exitCode);
    });
  }).finally(() => fs.closeSync(log));
  const stoppedEarly = signal?.aborted && code === K6_INTERRUPTED;
  if ((code !== 0 && !stoppedEarly) || !fs.existsSync(summaryPath)) {
    const tail = fs.readFileSync(logPath, 'utf8').trimEnd().split('\n').slice(-15).join('\n');
    throw new Error(`k6 exited with code ${code}\n--- ${logPath} ---\n${tail}`);
  }
  const summary = JSON.parse(fs.readFileSync(summaryPath, 'utf8')) as Summary;
  fs.rmSync(summaryPath);
  const value = (metric: string, field: string) => summary.metrics[metric]?.values[field] ?? 0;
  const ok = value('order_post_ok', 'count');
  const failed = value('order_post_failed', 'count');
  const dropped = value('dropped_iterations', 'count');
  return {
    planned: ok + failed + dropped,
    ok,
    failed,
    dropped,
    replayMismatch: value('order_replay_mismatch', 'count'),
    latency: {
      p50: value('order_post_ms', 'med'),
      p95: value('order_post_ms', 'p(95)'),
      p99: value('order_post_ms', 'p(99)'),
      max: value('order_post_ms', 'max'),
    },
  };
}
