import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export interface StackRun {
  child: ChildProcess;
  output: () => string;
  /** Resolves on "Valerix is up"; rejects with the output if the stack exits first. */
  up: Promise<void>;
  exited: Promise<number | null>;
}

/**
 * `npm start` itself (scripts/stack.ts) as a child process. Call stopAll() in afterAll: a failed
 * or timed-out test must not leave a stack running.
 */
export function createStackRunner(root: string) {
  const running = new Set<{ child: ChildProcess; exited: Promise<number | null> }>();
  return {
    start(env: Record<string, string>, args: string[] = []): StackRun {
      let output = '';
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'scripts/stack.ts'), ...args], {
        cwd: root,
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout!.on('data', (chunk) => (output += chunk));
      child.stderr!.on('data', (chunk) => (output += chunk));
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      const tracked = { child, exited };
      running.add(tracked);
      void exited.then(() => running.delete(tracked));
      const up = new Promise<void>((resolve, reject) => {
        const timer = setInterval(() => {
          if (output.includes('Valerix is up')) {
            clearInterval(timer);
            resolve();
          }
        }, 100);
        void exited.then((code) => {
          clearInterval(timer);
          reject(new Error(`stack exited with ${code}:\n${output}`));
        });
      });
      return { child, output: () => output, up, exited };
    },
    /** Ctrl-C every stack still running, and wait for each. */
    async stopAll(): Promise<void> {
      for (const stack of running) {
        stack.child.kill('SIGINT');
        await stack.exited;
      }
    },
  };
}
