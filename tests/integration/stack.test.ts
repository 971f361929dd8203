import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../infra/ports';
import { createStackRunner } from '../support/stack-runner';

/** `npm start` itself (scripts/stack.ts), on free ports and a throwaway data folder. */
const root = inject('infra').root;
let dataDir: string;
let env: Record<string, string>;
let ports: Record<string, number>;

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'valerix-stack-'));
  fs.chmodSync(dataDir, 0o755);
  ports = {
    WEB_PORT: await freePort(),
    GATEWAY_PORT: await freePort(),
    INVENTORY_PORT: await freePort(),
    WORKER_HTTP_PORT: await freePort(),
    WORKER_SDK_METRICS_PORT: await freePort(),
    TEMPORAL_PORT: await freePort(),
    TEMPORAL_UI_PORT: await freePort(),
    POSTGRES_PORT: await freePort(),
    REDIS_PORT: await freePort(),
  };
  env = { ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])), VALERIX_DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
});

const stacks = createStackRunner(root);
const startStack = () => stacks.start(env);

afterAll(async () => {
  await stacks.stopAll();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** `npm run clients` as a user runs it, against the stack's data folder. */
function runClients(args: string[]): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'scripts/clients.ts'), ...args], {
    cwd: root,
    env: { ...process.env, VALERIX_DATA_DIR: dataDir, ORDERS_DATABASE_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output })));
}

const url = (port: string, pathname: string) => `http://127.0.0.1:${ports[port]}${pathname}`;

describe('npm start (the local stack runner)', () => {
  it('brings every part up healthy, stops cleanly on Ctrl-C, and keeps the data for the next start', { timeout: 300_000 }, async () => {
    const first = startStack();
    await first.up;
    for (const [port, pathname] of [
      ['GATEWAY_PORT', '/health'],
      ['INVENTORY_PORT', '/health'],
      ['WORKER_HTTP_PORT', '/health'],
      ['WEB_PORT', '/'],
      ['TEMPORAL_UI_PORT', '/'],
    ] as const) {
      expect((await fetch(url(port, pathname))).status, `${port}${pathname}`).toBe(200);
    }
    const seeded = (await (await fetch(url('INVENTORY_PORT', '/api/inventory/ps5'))).json()) as { stock: number };
    // The client `dev` is registered with the key the stack printed the place of.
    const secrets = JSON.parse(fs.readFileSync(path.join(dataDir, 'secrets.json'), 'utf8')) as Record<string, string>;
    const auth = { authorization: `Bearer ${secrets.CLIENT_API_KEY}` };
    expect(first.output()).toContain('CLIENT_API_KEY');
    expect((await fetch(url('GATEWAY_PORT', '/api/orders'))).status).toBe(401);
    const placed = await fetch(url('GATEWAY_PORT', '/api/orders'), {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json', 'idempotency-key': randomUUID(), prefer: 'wait=10' },
      body: JSON.stringify({ item_id: 'ps5', quantity: 2 }),
    });
    const order = (await placed.json()) as { id: string; status: string };
    expect(order.status).toBe('CONFIRMED');

    // `npm run clients` finds the stack's database by itself, and the new key works at once.
    const created = await runClients(['create', '--name', 'acme']);
    expect(created.code, created.output).toBe(0);
    const acmeKey = created.output.match(/^(\S+)\s*$/m)?.[1] ?? '';
    const acmeList = await fetch(url('GATEWAY_PORT', '/api/orders'), { headers: { authorization: `Bearer ${acmeKey}` } });
    expect(acmeList.status).toBe(200);
    expect(((await acmeList.json()) as { orders: unknown[] }).orders).toEqual([]);
    expect((await runClients(['create', '--name', 'acme'])).code).not.toBe(0);

    first.child.kill('SIGINT');
    expect(await first.exited).toBe(0);
    expect(first.output()).toContain('stopped; data kept');

    const second = startStack();
    await second.up;
    try {
      expect(second.output()).toContain('demo inventory already seeded');
      const again = (await (await fetch(url('GATEWAY_PORT', `/api/orders/${order.id}`), { headers: auth })).json()) as { status: string };
      expect(again.status).toBe('CONFIRMED');
      const stock = (await (await fetch(url('INVENTORY_PORT', '/api/inventory/ps5'))).json()) as { stock: number };
      expect(stock.stock).toBe(seeded.stock - 2);
    } finally {
      second.child.kill('SIGINT');
      expect(await second.exited).toBe(0);
    }
  });

  it('stops with a clear error when a port is already taken', async () => {
    const blocker = net.createServer().listen(ports.GATEWAY_PORT, '127.0.0.1');
    await new Promise((resolve) => blocker.once('listening', resolve));
    try {
      const run = startStack();
      await expect(run.up).rejects.toThrow(new RegExp(`port ${ports.GATEWAY_PORT} \\(gateway\\) is already in use`));
      expect(await run.exited).not.toBe(0);
    } finally {
      blocker.close();
    }
  });
});
