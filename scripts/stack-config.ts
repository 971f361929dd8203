import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { TEMPORAL_MODES } from '../infra/stack';
import { DEFAULT_RETENTION, parseRetention } from '../infra/temporal-server';
import { loadConfig, port } from '../shared/contract/environment';

const instances = z.coerce.number().int().min(1).max(8).default(1);

const schema = z.object({
  WEB_PORT: port(3000),
  GATEWAY_PORT: port(3001),
  INVENTORY_PORT: port(3002),
  WORKER_HTTP_PORT: port(3003),
  WORKER_SDK_METRICS_PORT: port(3004),
  TEMPORAL_PORT: port(7233),
  TEMPORAL_UI_PORT: port(8233),
  POSTGRES_PORT: port(5432),
  REDIS_PORT: port(6379),
  /** With `npm start -- --with-prometheus`. */
  PROMETHEUS_PORT: port(9090),
  VALERIX_DATA_DIR: z.string().default('.data'),
  /** dev: the Temporal CLI's dev server; server: the real Temporal server on the stack's Postgres, with mTLS. */
  VALERIX_TEMPORAL: z.enum(TEMPORAL_MODES).default('dev'),
  /** Server mode: retention of closed workflows in the namespace it creates (hours or days: 72h, 7d). */
  TEMPORAL_RETENTION: z
    .string()
    .default(DEFAULT_RETENTION)
    .refine((value) => {
      try {
        return parseRetention(value) > 0;
      } catch {
        return false;
      }
    }, 'expected hours or days, such as 72h or 7d'),
  /** Worker processes polling the order task queue; extra ones use WORKER_HTTP_PORT + 100, + 200, ... */
  VALERIX_WORKERS: instances,
  /** Gateway processes; extra ones listen on GATEWAY_PORT + 100, + 200, ... */
  VALERIX_GATEWAYS: instances,
});

/** Command-line flags of `npm start`, as the variables they override (a flag wins over .env). */
function flagsAsEnv(argv: string[]): Record<string, string> {
  const names: Record<string, string> = {
    '--temporal': 'VALERIX_TEMPORAL',
    '--workers': 'VALERIX_WORKERS',
    '--gateways': 'VALERIX_GATEWAYS',
  };
  const env: Record<string, string> = {};
  for (let i = 0; i < argv.length; i += 1) {
    const [flag, inline] = argv[i]!.split('=', 2) as [string, string | undefined];
    const name = names[flag];
    if (!name) continue;
    const value = inline ?? argv[(i += 1)];
    if (value === undefined) throw new Error(`${flag} needs a value (see npm start -- --help)`);
    env[name] = value;
  }
  return env;
}

/** Settings of `npm start`: flags over .env (if present) over the defaults of .env.example. */
export function loadStackConfig(root: string, argv: string[] = []) {
  const envFile = path.join(root, '.env');
  if (fs.existsSync(envFile)) process.loadEnvFile(envFile);
  const parsed = loadConfig('stack', schema, { ...process.env, ...flagsAsEnv(argv) });
  return {
    dataDir: path.resolve(root, parsed.VALERIX_DATA_DIR),
    infraPorts: {
      postgres: parsed.POSTGRES_PORT,
      redis: parsed.REDIS_PORT,
      temporal: parsed.TEMPORAL_PORT,
      temporalUi: parsed.TEMPORAL_UI_PORT,
    },
    servicePorts: {
      inventory: parsed.INVENTORY_PORT,
      gateway: parsed.GATEWAY_PORT,
      worker: parsed.WORKER_HTTP_PORT,
      workerSdkMetrics: parsed.WORKER_SDK_METRICS_PORT,
      web: parsed.WEB_PORT,
    },
    prometheusPort: parsed.PROMETHEUS_PORT,
    temporalMode: parsed.VALERIX_TEMPORAL,
    temporalRetention: parsed.TEMPORAL_RETENTION,
    scale: { workers: parsed.VALERIX_WORKERS, gateways: parsed.VALERIX_GATEWAYS },
  };
}
