import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface ManagedProcessOptions {
  name: string;
  command: string;
  args: string[];
  logFile: string;
  env?: Record<string, string | undefined>;
  cwd?: string;
  uid?: number;
  gid?: number;
  /** Signal that makes this program shut down quickly and cleanly. */
  stopSignal?: NodeJS.Signals;
}

/** A child process whose output goes to a log file and that can be stopped and awaited. */
export class ManagedProcess {
  readonly name: string;
  private child: ChildProcess | undefined;
  private exited: Promise<number | null> | undefined;
  private readonly options: ManagedProcessOptions;

  constructor(options: ManagedProcessOptions) {
    this.options = options;
    this.name = options.name;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  start(): this {
    const { command, args, logFile, env, cwd, uid, gid } = this.options;
    fs.mkdirSync(path.dirname(logFile), { recursive: true });
    const log = fs.openSync(logFile, 'a');
    const spawnOptions: SpawnOptions = {
      cwd,
      env: { ...process.env, ...env },
      stdio: ['ignore', log, log],
      uid,
      gid,
    };
    const child = spawn(command, args, spawnOptions);
    fs.closeSync(log);
    this.child = child;
    this.exited = new Promise((resolve) => {
      child.once('exit', (code) => resolve(code));
      child.once('error', (err) => {
        fs.appendFileSync(logFile, `spawn failed: ${err.message}\n`);
        resolve(-1);
      });
    });
    return this;
  }

  onExit(listener: (code: number | null) => void): void {
    void this.exited?.then(listener);
  }

  /** Sends the stop signal, then SIGKILL if the process outlives the grace period. */
  async stop(graceMs = 10_000): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    child.kill(this.options.stopSignal ?? 'SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** Abrupt death, as a crash or `kill -9` would cause. */
  async kill(): Promise<void> {
    if (!this.child || !this.running) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  tailLog(lines = 20): string {
    try {
      return fs.readFileSync(this.options.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }
}
