import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { ManagedProcess } from './process';
import { waitFor } from './ports';

export interface RedisOptions {
  dataDir: string;
  port: number;
  logFile: string;
  /** Append-only file for the local stack; none for throwaway test servers. */
  durable: boolean;
  /** Every client must AUTH with it: chaos settings live here, and only the admin API may change them. */
  password: string;
}

export interface RunningRedis {
  process: ManagedProcess;
  port: number;
  url: string;
  stop(): Promise<void>;
}

function redisServerPath(): string {
  try {
    return execFileSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('redis-server not found: run `npm run provision` or install Redis >= 6.2');
  }
}

function ping(port: number, password: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.setTimeout(1000);
    let answer = '';
    // RESP arrays, so the password needs no quoting.
    const command = (...words: string[]) =>
      `*${words.length}\r\n${words.map((word) => `$${Buffer.byteLength(word)}\r\n${word}\r\n`).join('')}`;
    socket.once('connect', () => socket.write(command('AUTH', password) + command('PING')));
    socket.on('data', (data) => {
      answer += data.toString();
      if (!answer.includes('\r\n', answer.indexOf('\r\n') + 2)) return;
      socket.destroy();
      if (answer === '+OK\r\n+PONG\r\n') resolve();
      else reject(new Error(answer.trim()));
    });
    socket.once('timeout', () => socket.destroy(new Error('timeout')));
    socket.once('error', reject);
  });
}

export async function startRedis(options: RedisOptions): Promise<RunningRedis> {
  fs.mkdirSync(options.dataDir, { recursive: true });
  const persistence = options.durable
    ? ['--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '']
    : ['--appendonly', 'no', '--save', ''];
  const server = new ManagedProcess({
    name: 'redis',
    command: redisServerPath(),
    args: [
      '--port',
      String(options.port),
      '--bind',
      '127.0.0.1',
      '--dir',
      options.dataDir,
      '--requirepass',
      options.password,
      ...persistence,
    ],
    logFile: options.logFile,
  }).start();
  await waitFor(
    'redis',
    async () => {
      if (!server.running) throw new Error(`redis exited:\n${server.tailLog()}`);
      await ping(options.port, options.password);
    },
    { timeoutMs: 15_000 },
  );
  return {
    process: server,
    port: options.port,
    url: `redis://:${encodeURIComponent(options.password)}@127.0.0.1:${options.port}`,
    stop: () => server.stop(),
  };
}
