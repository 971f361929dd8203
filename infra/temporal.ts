import fs from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { parse } from 'yaml';
import type { TemporalConnectionSettings } from '../shared/temporal-connection';
import { ManagedProcess } from './process';
import { waitFor } from './ports';
import type { TemporalCertificates } from './temporal-tls';

export const TEMPORAL_NAMESPACE = 'default';
/** Registered at start so the Web UI can filter orders by status. */
export const SEARCH_ATTRIBUTES = { OrderStatus: 'Keyword' } as const;

export function temporalCliPath(root = process.cwd()): string {
  const binary = process.env.TEMPORAL_CLI_PATH ?? path.join(root, '.tools', 'bin', 'temporal');
  if (!fs.existsSync(binary)) {
    throw new Error(`Temporal CLI not found at ${binary}: run \`npm run provision\` (it builds it with go install)`);
  }
  return binary;
}

export interface TemporalOptions {
  root: string;
  dbFile: string;
  port: number;
  /** undefined runs headless (tests). */
  uiPort?: number;
  logFile: string;
}

export interface RunningTemporal {
  /** The dev server is one process; the real server one per service, plus the Web UI server. */
  processes: ManagedProcess[];
  address: string;
  /** What the stack's services and tools connect with. */
  clientSettings: TemporalConnectionSettings;
  /** Set when the frontend requires mTLS. */
  certificates?: TemporalCertificates;
  uiUrl?: string;
  stop(): Promise<void>;
}

/**
 * The server's dynamic config, committed once for both modes: the real server polls the file,
 * the dev server gets each entry as a --dynamic-config-value flag.
 */
function dynamicConfigFlags(root = process.cwd()): string[] {
  const file = path.join(root, 'infra', 'temporal-config', 'dynamic-config.yaml');
  const entries = parse(fs.readFileSync(file, 'utf8')) as Record<string, { value: unknown; constraints?: unknown }[]>;
  return Object.entries(entries).flatMap(([key, values]) => {
    if (values.length !== 1 || values[0]!.constraints)
      throw new Error(`${file}: ${key} has constraints, which the dev server's flags cannot express`);
    return ['--dynamic-config-value', `${key}=${JSON.stringify(values[0]!.value)}`];
  });
}

function temporalServerArgs(options: TemporalOptions): string[] {
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(options.port),
    '--db-filename',
    options.dbFile,
    // WAL lets readers and the writer work at once; NORMAL sync is safe with WAL.
    '--sqlite-pragma',
    'journal_mode=wal',
    '--sqlite-pragma',
    'synchronous=normal',
    '--log-level',
    'warn',
    ...dynamicConfigFlags(options.root),
    // The CLI writes --search-attribute into SQLite before the server starts, so the per-read
    // cache refresh the dev server forces by default only costs SQLite reads.
    '--dynamic-config-value',
    'system.forceSearchAttributesCacheRefreshOnRead=false',
  ];
  for (const [name, type] of Object.entries(SEARCH_ATTRIBUTES)) args.push('--search-attribute', `${name}=${type}`);
  if (options.uiPort === undefined) args.push('--headless');
  else args.push('--ui-port', String(options.uiPort));
  return args;
}

export async function startTemporal(options: TemporalOptions): Promise<RunningTemporal> {
  fs.mkdirSync(path.dirname(options.dbFile), { recursive: true });
  const server = new ManagedProcess({
    name: 'temporal',
    command: temporalCliPath(),
    args: temporalServerArgs(options),
    logFile: options.logFile,
  }).start();
  const address = `127.0.0.1:${options.port}`;
  await waitFor(
    'temporal',
    async () => {
      if (!server.running) throw new Error(`temporal exited:\n${server.tailLog()}`);
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await connection.workflowService.describeNamespace({ namespace: TEMPORAL_NAMESPACE });
      } finally {
        await connection.close();
      }
    },
    { timeoutMs: 60_000, intervalMs: 250 },
  );
  const uiUrl = options.uiPort === undefined ? undefined : `http://127.0.0.1:${options.uiPort}`;
  if (uiUrl) {
    await waitFor('temporal web ui', async () => {
      const response = await fetch(uiUrl);
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
    });
  }
  return {
    processes: [server],
    address,
    clientSettings: { address, namespace: TEMPORAL_NAMESPACE },
    uiUrl,
    stop: () => server.stop(15_000),
  };
}
