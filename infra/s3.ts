import fs from 'node:fs';
import path from 'node:path';
import { ManagedProcess } from './process';
import { waitFor } from './ports';

export interface S3ServerOptions {
  root: string;
  /** Objects live under it, one folder per bucket (versitygw's posix backend). */
  dataDir: string;
  port: number;
  logFile: string;
  accessKeyId: string;
  secretAccessKey: string;
}

export interface RunningS3Server {
  endpoint: string;
  process: ManagedProcess;
  stop(): Promise<void>;
}

/** versitygw (scripts/provision/s3-tools.sh) on 127.0.0.1: a real S3 API on a folder, with conditional writes. */
export async function startS3Server(options: S3ServerOptions): Promise<RunningS3Server> {
  const binary = path.join(options.root, '.tools/bin/versitygw');
  if (!fs.existsSync(binary)) throw new Error(`${binary} is missing: run scripts/provision/s3-tools.sh (npm test provisions it)`);
  fs.mkdirSync(options.dataDir, { recursive: true });
  const server = new ManagedProcess({
    name: 's3',
    command: binary,
    args: ['--port', `127.0.0.1:${options.port}`, 'posix', options.dataDir],
    env: { ROOT_ACCESS_KEY: options.accessKeyId, ROOT_SECRET_KEY: options.secretAccessKey },
    logFile: options.logFile,
  }).start();
  const endpoint = `http://127.0.0.1:${options.port}`;
  await waitFor(
    's3',
    async () => {
      if (!server.running) throw new Error(`versitygw exited:\n${server.tailLog()}`);
      // Any HTTP answer (403 without a signature) means it is serving.
      await fetch(endpoint, { signal: AbortSignal.timeout(1000) });
    },
    { timeoutMs: 15_000 },
  );
  return { endpoint, process: server, stop: () => server.stop() };
}
