import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { inject } from 'vitest';
import { freePort, waitFor } from '../../infra/ports';
import { ManagedProcess } from '../../infra/process';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SCREENSHOTS_DIR = path.join(ROOT, '.artifacts/screenshots');
const DOCS_SCREENSHOTS_DIR = path.join(ROOT, 'docs/screenshots');

/** What environment.md says headless Chromium needs when run as root in a container. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * `remix vite:build` once per test run, into the run's throwaway folder: a developer's
 * web/build (maybe served by `npm start` right now) stays untouched.
 */
export async function buildDashboard(): Promise<string> {
  const buildDir = path.join(inject('infra').dataDir, 'web-build');
  if (fs.existsSync(path.join(buildDir, 'server/index.js'))) return buildDir;
  const cli = path.join(ROOT, 'node_modules/@remix-run/dev/dist/cli.js');
  await promisify(execFile)(process.execPath, [cli, 'vite:build', '--config', 'web/vite.config.ts', '--logLevel', 'error'], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'production', WEB_BUILD_DIR: buildDir },
  });
  // The server build imports react & co.; Node finds them by walking up from the file.
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(buildDir, 'node_modules'), 'dir');
  return buildDir;
}

/** The operator's password and cookie secret for test dashboards (16+ characters, and not the published ones). */
export const TEST_DASHBOARD_PASSWORD = 'test-dashboard-password';
export const TEST_SESSION_SECRET = 'test-session-secret-for-e2e';

export interface DashboardEnv {
  GATEWAY_URL: string;
  INVENTORY_URL: string;
  WORKER_URL: string;
  TEMPORAL_UI_URL: string;
  ADMIN_TOKEN: string;
  DASHBOARD_PASSWORD: string;
  SESSION_SECRET: string;
}

/** The built dashboard under remix-serve, as production runs it, on a free port. */
export async function startDashboard(buildDir: string, env: DashboardEnv, name = 'web') {
  const port = await freePort();
  const logFile = path.join(inject('infra').dataDir, 'logs', `${name}-${port}.log`);
  const server = new ManagedProcess({
    name,
    command: process.execPath,
    args: [path.join(ROOT, 'node_modules/@remix-run/serve/dist/cli.js'), path.join(buildDir, 'server/index.js')],
    logFile,
    env: { ...env, NODE_ENV: 'production', HOST: '127.0.0.1', PORT: String(port) },
  }).start();
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(
      'the dashboard',
      async () => {
        if (!server.running) throw new Error('exited');
        const response = await fetch(`${url}/health`);
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
      },
      { timeoutMs: 30_000 },
    );
  } catch (err) {
    await server.stop();
    throw new Error(`dashboard did not start: ${(err as Error).message}\n${fs.readFileSync(logFile, 'utf8').slice(-2000)}`, { cause: err });
  }
  return { url, stop: () => server.stop() };
}

export type Dashboard = Awaited<ReturnType<typeof startDashboard>>;

/**
 * Stands in for the worker process's /health: the test worker runs inside the test
 * process (startTestServices), without the HTTP side workers/main.ts adds.
 */
export async function startWorkerHealth(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((request, response) => {
    response.writeHead(request.url === '/health' ? 200 : 404, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ status: request.url === '/health' ? 'ok' : 'not found' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/**
 * Logs the browser context in through the real login form, the way a person does: the page asked
 * for sends it to the login, and the right password brings it back there. Cookies are per host, not
 * per port, so the context is then logged in to every dashboard on 127.0.0.1 with the same secret.
 */
export async function logIn(context: BrowserContext, dashboardUrl: string, path = '/orders'): Promise<void> {
  const page = await context.newPage();
  try {
    await page.goto(`${dashboardUrl}${path}`);
    const login = new URL(page.url());
    if (login.pathname !== '/login' || (login.searchParams.get('redirectTo') ?? '/') !== path)
      throw new Error(`expected the login page, got ${page.url()}`);
    await page.getByLabel('Operator password').fill(TEST_DASHBOARD_PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(`${dashboardUrl}${path}`);
  } finally {
    await page.close();
  }
}

/** Debian's Chromium (playwright's browser downloads are not reachable here); launch() gives it a fresh --user-data-dir. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
}

/**
 * Full-page screenshot into .artifacts/screenshots/. With UPDATE_SCREENSHOTS=1, `docsName` also
 * refreshes docs/screenshots/ (the README's), so an ordinary test run leaves the tree clean.
 */
export async function screenshot(page: Page, name: string, docsName?: string): Promise<void> {
  fs.mkdirSync(SCREENSHOTS_DIR, { recursive: true });
  const file = path.join(SCREENSHOTS_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  if (docsName && process.env.UPDATE_SCREENSHOTS === '1') {
    fs.mkdirSync(DOCS_SCREENSHOTS_DIR, { recursive: true });
    fs.copyFileSync(file, path.join(DOCS_SCREENSHOTS_DIR, `${docsName}.png`));
  }
}
