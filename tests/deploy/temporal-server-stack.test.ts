import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../infra/ports';
import { INSTANCE_PORT_STEP } from '../../infra/stack';
import { freeTemporalFrontendPort } from '../../infra/temporal-server';
import { createStackRunner } from '../support/stack-runner';

/** `npm start -- --temporal server --workers 2 --gateways 2`, on free ports and a throwaway data folder. */
const root = inject('infra').root;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'valerix-server-stack-'));
fs.chmodSync(dataDir, 0o755);
const stacks = createStackRunner(root);
const execFileAsync = promisify(execFile);

afterAll(async () => {
  await stacks.stopAll();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('npm start -- --temporal server --workers 2 --gateways 2', () => {
  it(
    'comes up healthy; the CLI sees SERVING; an order placed at the second gateway is CONFIRMED and listed by the CLI and the Web UI',
    { timeout: 300_000 },
    async () => {
      const ports = {
        WEB_PORT: await freePort(),
        GATEWAY_PORT: await freePort(),
        INVENTORY_PORT: await freePort(),
        WORKER_HTTP_PORT: await freePort(),
        WORKER_SDK_METRICS_PORT: await freePort(),
        TEMPORAL_PORT: await freeTemporalFrontendPort(),
        TEMPORAL_UI_PORT: await freePort(),
        POSTGRES_PORT: await freePort(),
        REDIS_PORT: await freePort(),
      };
      const env = {
        ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
        VALERIX_DATA_DIR: dataDir,
        LOG_LEVEL: 'warn',
      };
      const stack = stacks.start(env, ['--temporal', 'server', '--workers', '2', '--gateways', '2']);
      await stack.up;
      const secondGateway = ports.GATEWAY_PORT + INSTANCE_PORT_STEP;
      for (const port of [
        ports.GATEWAY_PORT,
        secondGateway,
        ports.WORKER_HTTP_PORT,
        ports.WORKER_HTTP_PORT + INSTANCE_PORT_STEP,
        ports.INVENTORY_PORT,
      ]) {
        expect((await fetch(`http://127.0.0.1:${port}/health`)).status, `:${port}/health`).toBe(200);
      }

      // The command the stack printed, as a user would copy it.
      const printed = stack.output().match(/Temporal CLI\s+(\S+) (operator cluster health .*)$/m);
      expect(printed, stack.output()).not.toBeNull();
      const cliFlags = printed![2]!.replace('operator cluster health ', '').split(' ');
      const temporalCli = (...args: string[]) => execFileAsync(path.join(root, printed![1]!), [...args, ...cliFlags], { cwd: root });
      expect((await temporalCli('operator', 'cluster', 'health')).stdout).toContain('SERVING');
      // Without the client certificate the CLI is turned away.
      await expect(
        execFileAsync(path.join(root, printed![1]!), ['operator', 'cluster', 'health', '--address', `127.0.0.1:${ports.TEMPORAL_PORT}`]),
      ).rejects.toThrow();

      const secrets = JSON.parse(fs.readFileSync(path.join(dataDir, 'secrets.json'), 'utf8')) as Record<string, string>;
      const placed = await fetch(`http://127.0.0.1:${secondGateway}/api/orders`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${secrets.CLIENT_API_KEY}`,
          'content-type': 'application/json',
          'idempotency-key': randomUUID(),
          prefer: 'wait=10',
        },
        body: JSON.stringify({ item_id: 'ps5', quantity: 1 }),
      });
      const order = (await placed.json()) as { id: string; status: string };
      expect(order.status).toBe('CONFIRMED');

      // Postgres visibility trails the history store by a moment.
      const query = `WorkflowId='${order.id}' AND OrderStatus='CONFIRMED'`;
      await expect
        .poll(async () => (await temporalCli('workflow', 'list', '--query', query)).stdout, { timeout: 15_000 })
        .toContain(order.id);
      const listed = await fetch(
        `http://127.0.0.1:${ports.TEMPORAL_UI_PORT}/api/v1/namespaces/default/workflows?query=${encodeURIComponent(query)}`,
      );
      expect(listed.status).toBe(200);
      expect(await listed.text()).toContain(order.id);

      stack.child.kill('SIGINT');
      expect(await stack.exited).toBe(0);
      expect(stack.output()).toContain('stopped; data kept');
    },
  );
});
