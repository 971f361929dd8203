/**
 * Prometheus next to the local stack (`npm start -- --with-prometheus`): the committed
 * prometheus.yml with its targets moved to the stack's ports, and the committed rules.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { assertPortFree, waitFor } from './ports';
import { ManagedProcess } from './process';
import { OBSERVABILITY_DIR, RULES_DIR } from '../observability/references';

export const LOCAL_CONFIG = path.join(OBSERVABILITY_DIR, 'prometheus', 'prometheus.yml');

export interface PrometheusTargets {
  gateway: number;
  inventory: number;
  worker: number;
  prometheus: number;
}

// The ports written in prometheus.yml (the seed's defaults), and whose they are.
const COMMITTED_PORTS: Record<string, keyof PrometheusTargets> = { 3001: 'gateway', 3002: 'inventory', 3003: 'worker', 9090: 'prometheus' };

/** prometheus.yml with each target on its actual port and the rule files by absolute path. */
export function renderLocalPrometheusConfig(template: string, ports: PrometheusTargets): string {
  const moved = new Set<string>();
  // One pass: swapped ports (gateway on 3002, inventory on 3001) cannot overwrite each other.
  const rendered = template
    .replace(/'127\.0\.0\.1:(\d+)'/g, (_match, port: string) => {
      const owner = COMMITTED_PORTS[port];
      if (!owner) throw new Error(`prometheus.yml: unexpected target port ${port}`);
      moved.add(owner);
      return `'127.0.0.1:${ports[owner]}'`;
    })
    .replace(/^(\s*- )rules\/\*\.yml$/m, (_match, prefix: string) => `${prefix}${path.join(RULES_DIR, '*.yml')}`);
  const unmoved = Object.values(COMMITTED_PORTS).filter((owner) => !moved.has(owner));
  if (unmoved.length > 0 || !rendered.includes(RULES_DIR)) {
    throw new Error(`prometheus.yml no longer has the expected targets or rule_files (missing: ${unmoved.join(', ') || 'rules/*.yml'})`);
  }
  return rendered;
}

export interface RunningPrometheus {
  url: string;
  stop(): Promise<void>;
}

export async function startPrometheus(options: { dataDir: string; ports: PrometheusTargets; logFile: string }): Promise<RunningPrometheus> {
  const binary = process.env.PROMETHEUS_PATH ?? 'prometheus';
  if (spawnSync(binary, ['--version']).error) {
    throw new Error(
      `Prometheus (${binary}) not found: install the Debian package prometheus (scripts/provision.sh --for-tests does) or set PROMETHEUS_PATH`,
    );
  }
  await assertPortFree(options.ports.prometheus, 'Prometheus');
  const dir = path.join(options.dataDir, 'prometheus');
  fs.mkdirSync(dir, { recursive: true });
  const configFile = path.join(dir, 'prometheus.yml');
  fs.writeFileSync(configFile, renderLocalPrometheusConfig(fs.readFileSync(LOCAL_CONFIG, 'utf8'), options.ports));
  const address = `127.0.0.1:${options.ports.prometheus}`;
  const server = new ManagedProcess({
    name: 'prometheus',
    command: binary,
    args: [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=${address}`,
      '--log.level=warn',
    ],
    logFile: options.logFile,
  }).start();
  const url = `http://${address}`;
  await waitFor(
    'prometheus',
    async () => {
      if (!server.running) throw new Error(`prometheus exited:\n${server.tailLog()}`);
      const response = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
    },
    { timeoutMs: 30_000, intervalMs: 250 },
  );
  return { url, stop: () => server.stop() };
}
