import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { loadConfig, port } from '../shared/env';

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
});

/** Settings of `npm start`: .env (if present) over the defaults of .env.example. */
export function loadStackConfig(root: string) {
  const envFile = path.join(root, '.env');
  if (fs.existsSync(envFile)) process.loadEnvFile(envFile);
  const parsed = loadConfig('stack', schema);
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
  };
}
