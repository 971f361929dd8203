import { randomUUID } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN_CALLER } from '../../api/gateway/clients/keys';
import { orderIdFor } from '../../api/gateway/orders/idempotency';
import { freePort } from '../../infra/ports';
import {
  TEST_ADMIN_TOKEN,
  bearer,
  createTestItem,
  postOrder,
  startTestServices,
  waitForStatus,
  type GatewayTarget,
  type TestServices,
} from '../support/services';
import {
  TEST_DASHBOARD_PASSWORD,
  TEST_SESSION_SECRET,
  buildDashboard,
  launchChromium,
  logIn,
  screenshot,
  startDashboard,
  startWorkerHealth,
  type Dashboard,
  type DashboardEnv,
} from '../support/web';

const TEMPORAL_UI_URL = 'http://temporal-ui.test:8233';

let s: TestServices;
let worker: Awaited<ReturnType<typeof startWorkerHealth>>;
let env: DashboardEnv;
let buildDir: string;
let web: Dashboard;
let browser: Browser;
let context: BrowserContext;
/** The gateway as the dashboard calls it: with the admin token, which sees every order. */
let asAdmin: GatewayTarget;

beforeAll(async () => {
  // The production defaults for inventory calls (api/gateway/config.ts, workers/config.ts): the seed's
  // 5 s chaos latency slows orders down instead of failing them, which the demo's latency chart shows.
  s = await startTestServices({
    chaos: true,
    policy: { inventoryCallTimeoutMs: 10_000, inventoryDeadlineMs: 60_000 },
    inventoryRequestTimeoutMs: 8_000,
  });
  worker = await startWorkerHealth();
  asAdmin = { gatewayUrl: s.gatewayUrl, clientKey: TEST_ADMIN_TOKEN };
  env = {
    GATEWAY_URL: s.gatewayUrl,
    INVENTORY_URL: s.inventoryUrl,
    WORKER_URL: worker.url,
    TEMPORAL_UI_URL,
    ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    DASHBOARD_PASSWORD: TEST_DASHBOARD_PASSWORD,
    SESSION_SECRET: TEST_SESSION_SECRET,
  };
  buildDir = await buildDashboard();
  web = await startDashboard(buildDir, env);
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  await logIn(context, web.url);
});

afterAll(async () => {
  await chaos('DELETE').catch(() => undefined);
  // A failed demo test may leave its load running.
  if (s) await fetch(`${s.gatewayUrl}/api/admin/load`, { method: 'DELETE', headers: bearer(TEST_ADMIN_TOKEN) }).catch(() => undefined);
  await browser?.close();
  await web?.stop();
  await worker?.close();
  await s?.stop();
});

function chaos(method: 'GET' | 'POST' | 'DELETE', body?: unknown) {
  return fetch(`${s.inventoryUrl}/api/admin/chaos`, {
    method,
    headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  }).then((response) => response.json() as Promise<{ enabled: boolean; latency_ms: number; latency_rate: number }>);
}

const stockOf = async (itemId: string) => (await s.inventoryStore.get(itemId))!.stock;

/** Opens an orders page once it is hydrated and its live stream is connected. */
async function openLive(path: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${web.url}${path}`);
  await page.waitForSelector('.live[data-state="live"]');
  // Survives only as long as the document: proof that nothing reloaded the page.
  await page.evaluate(() => Object.assign(window, { sameDocument: true }));
  return page;
}

const stillSameDocument = (page: Page) => page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument === true);

const timelineSteps = (page: Page) =>
  page.locator('.timeline li').evaluateAll((items) => items.map((item) => item.getAttribute('data-step')));

describe('dashboard in a real browser against the real services', () => {
  it('asks for the password first, says when it is wrong, and logs out', async () => {
    const visitor = await browser.newContext();
    const page = await visitor.newPage();
    await page.goto(`${web.url}/inventory`);
    expect(page.url()).toBe(`${web.url}/login?redirectTo=%2Finventory`);
    expect(await page.getByRole('button', { name: 'Log out' }).count()).toBe(0);
    await page.getByLabel('Operator password').fill('not-the-password');
    await page.getByRole('button', { name: 'Log in' }).click();
    expect(await page.getByRole('alert').textContent()).toBe('Wrong password.');
    await screenshot(page, 'login');

    await page.getByLabel('Operator password').fill(TEST_DASHBOARD_PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(`${web.url}/inventory`);
    await page.getByRole('heading', { name: 'Inventory' }).waitFor();
    const [cookie] = await visitor.cookies(web.url);
    expect(cookie).toMatchObject({ name: 'valerix_session', httpOnly: true, sameSite: 'Lax', path: '/' });

    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(`${web.url}/login`);
    expect(await visitor.cookies(web.url)).toEqual([]);
    await page.goto(`${web.url}/orders`);
    expect(page.url()).toBe(`${web.url}/login?redirectTo=%2Forders`);
    await visitor.close();

    // Without a session the event stream and data requests are refused outright.
    for (const path of ['/api/events', '/orders.data', '/demo/stats']) {
      const response = await fetch(`${web.url}${path}`);
      expect(response.status, path).toBe(401);
      expect(response.headers.get('content-type'), path).toBe('application/problem+json');
    }
  });

  it('places a multi-line order from the form and shows it reach CONFIRMED without a reload', async () => {
    const a = await createTestItem(s.inventoryStore, 10, 'web');
    const b = await createTestItem(s.inventoryStore, 10, 'web');
    const page = await openLive('/orders');

    await page.selectOption('#line-0-item', a);
    await page.fill('#line-0-quantity', '2');
    await page.getByRole('button', { name: 'Add a line' }).click();
    await page.selectOption('#line-1-item', b);
    await page.fill('#line-1-quantity', '3');
    await page.getByRole('button', { name: 'Place order' }).click();

    const result = page.getByTestId('order-result');
    await result.waitFor();
    expect(await result.textContent()).toContain('Order placed');
    const id = (await result.getAttribute('data-order-id'))!;
    await page.waitForSelector(`tr[data-order-id="${id}"][data-status="CONFIRMED"]`, { timeout: 30_000 });
    expect(await stillSameDocument(page)).toBe(true);
    expect(await page.locator(`tr[data-order-id="${id}"]`).textContent()).toContain(`${a} × 2, ${b} × 3`);
    expect([await stockOf(a), await stockOf(b)]).toEqual([8, 7]);
    await screenshot(page, 'orders', 'orders');

    await page.locator(`tr[data-order-id="${id}"] a`).click();
    await page.waitForSelector('[data-testid="order-status"][data-status="CONFIRMED"]');
    expect(await timelineSteps(page)).toEqual(['recorded', 'line reserved', 'line reserved', 'confirmed']);
    expect(await page.locator('tr[data-line-no]').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-status')))).toEqual([
      'RESERVED',
      'RESERVED',
    ]);
    expect(await page.getByRole('link', { name: 'Open in the Temporal Web UI' }).getAttribute('href')).toBe(
      `${TEMPORAL_UI_URL}/namespaces/default/workflows/${id}`,
    );
    await screenshot(page, 'order-detail', 'order-detail');
    await page.close();
  });

  it('shows an order placed elsewhere appear and settle live, over the event stream', async () => {
    const item = await createTestItem(s.inventoryStore, 5, 'web');
    const page = await openLive('/orders');
    // Placed by a client of the gateway; the dashboard, as admin, sees every client's orders.
    const placed = await postOrder(s, { item_id: item, quantity: 1 }, { key: randomUUID() });
    expect(placed.status).toBe(202);

    await page.waitForSelector(`tr[data-order-id="${placed.body.id}"][data-status="CONFIRMED"]`, { timeout: 30_000 });
    expect(await stillSameDocument(page)).toBe(true);
    await page.close();
  });

  it('places one order only when the form is submitted twice and then retried', async () => {
    const item = await createTestItem(s.inventoryStore, 5, 'web');
    const page = await openLive('/orders');
    await page.selectOption('#line-0-item', item);
    const key = await page.locator('input[name="idempotency_key"]').inputValue();
    expect(key).toMatch(/^[0-9a-f-]{36}$/);

    // Hold the first answer until the second click is sent: a user clicking again while nothing seems to happen.
    // Both requests reach the server; the browser drops the first answer for the second.
    let secondSent!: () => void;
    const second = new Promise<void>((resolve) => (secondSent = resolve));
    let posts = 0;
    let firstAnswered = false;
    await page.route('**/*', async (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      posts += 1;
      if (posts > 1) {
        secondSent();
        return route.continue();
      }
      const response = await route.fetch();
      firstAnswered = response.ok();
      await second;
      await route.fulfill({ response }).catch(() => undefined); // aborted by the second submission
    });
    const place = page.getByRole('button', { name: /^(Place order|Placing…)$/ });
    await place.click();
    await page.getByRole('button', { name: 'Placing…' }).waitFor();
    await place.click();
    await page.waitForSelector('[data-testid="order-result"].replayed');
    expect(posts).toBe(2);
    expect(firstAnswered).toBe(true);
    expect(await page.getByTestId('order-result').textContent()).toContain('Already placed: same order returned');
    await page.unroute('**/*');

    // A deliberate retry once the answer is on screen: the same key, so the same order again.
    const retried = page.waitForResponse((response) => response.request().method() === 'POST');
    await place.click();
    expect((await retried).ok()).toBe(true);
    await page.waitForSelector('[data-testid="order-result"].replayed');
    expect(await page.locator('input[name="idempotency_key"]').inputValue()).toBe(key);

    const orderId = orderIdFor(ADMIN_TOKEN_CALLER.id, key);
    expect(await page.getByTestId('order-result').getAttribute('data-order-id')).toBe(orderId);
    const rows = await s.ordersDb.order.findMany({ where: { lines: { some: { itemId: item } } } });
    expect(rows.map((row) => row.id)).toEqual([orderId]);
    const listed = (await (await fetch(`${s.gatewayUrl}/api/orders?limit=200`, { headers: bearer(TEST_ADMIN_TOKEN) })).json()) as {
      orders: { id: string; lines: { item_id: string }[] }[];
    };
    expect(listed.orders.filter((order) => order.lines.some((line) => line.item_id === item)).map((order) => order.id)).toEqual([orderId]);
    await waitForStatus(asAdmin, orderId, ['CONFIRMED']);
    expect(await stockOf(item)).toBe(4);

    // Changing the order afterwards is a new order, so it gets a key of its own.
    await page.fill('#line-0-quantity', '2');
    expect(await page.locator('input[name="idempotency_key"]').inputValue()).not.toBe(key);
    await page.close();
  });

  it('cancels a confirmed order from its page: stock comes back and the timeline shows the return', async () => {
    const item = await createTestItem(s.inventoryStore, 5, 'web');
    const placed = await postOrder(s, { item_id: item, quantity: 2 }, { key: randomUUID(), wait: 10 });
    expect(placed.body.status).toBe('CONFIRMED');
    expect(await stockOf(item)).toBe(3);

    const page = await openLive(`/orders/${placed.body.id}`);
    await page.getByRole('button', { name: 'Cancel order (return the stock)' }).click();
    await page.waitForSelector('[data-testid="order-status"][data-status="CANCELLED"]', { timeout: 30_000 });
    expect(await page.getByRole('status').filter({ hasText: 'Cancelled' }).count()).toBe(1);
    expect(await page.getByRole('button', { name: /Cancel order/ }).count()).toBe(0);
    expect(await timelineSteps(page)).toEqual([
      'recorded',
      'line reserved',
      'confirmed',
      'cancel requested',
      'return requested',
      'line released',
      'returned',
    ]);
    expect(await stockOf(item)).toBe(5);
    await screenshot(page, 'order-cancelled');
    await page.close();
  });

  it('restocks an item from the inventory page', async () => {
    const item = await createTestItem(s.inventoryStore, 3, 'web');
    const page = await context.newPage();
    await page.goto(`${web.url}/inventory`);
    const row = page.locator(`tr[data-item-id="${item}"]`);
    await row.getByLabel(/Units of .* to add/).fill('7');
    await row.getByRole('button', { name: 'Restock' }).click();
    await row.getByText('Added 7; 10 in stock now.').waitFor();
    // The answer shows first; the reloaded table follows.
    await page.waitForFunction(
      (id) => document.querySelector(`tr[data-item-id="${id}"] [data-testid="stock"]`)?.textContent === '10',
      item,
    );
    expect(await stockOf(item)).toBe(10);
    await screenshot(page, 'inventory');
    await page.close();
  });

  it('turns chaos latency on and the overview goes red, then off and it recovers', async () => {
    const page = await context.newPage();
    await page.goto(`${web.url}/`);
    await page.waitForSelector('tr[data-service="inventory-api"][data-level="green"]');
    expect(await page.getByRole('link', { name: 'Gateway API docs' }).getAttribute('href')).toBe(`${s.gatewayUrl}/docs`);
    // The orders placed by the tests before this one, minutes ago at most.
    expect(Number(await page.locator('[data-status-count="CONFIRMED"]').textContent())).toBeGreaterThan(0);
    expect(Number((await page.getByTestId('order-rate').textContent())?.match(/[\d.]+/)?.[0])).toBeGreaterThan(0);

    await page.getByRole('link', { name: 'Chaos', exact: true }).click();
    await page.getByLabel('Chaos enabled').check();
    await page.getByLabel('Added latency').fill('1500');
    await page.getByLabel('Share of calls delayed').fill('100');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByText('On: 1500 ms latency on 100 % of calls').waitFor();
    expect(await chaos('GET')).toMatchObject({ enabled: true, latency_ms: 1500, latency_rate: 1 });
    await screenshot(page, 'chaos');

    await page.getByRole('link', { name: 'Overview' }).click();
    await page.waitForSelector('tr[data-service="inventory-api"][data-level="red"]');
    expect(await page.locator('tr[data-service="inventory-api"]').textContent()).toContain('Too slow');
    expect(await page.getByTestId('chaos-summary').textContent()).toContain('1500 ms latency');
    await screenshot(page, 'overview-chaos');

    await page.getByRole('link', { name: 'Chaos', exact: true }).click();
    await page.getByRole('button', { name: 'Turn chaos off' }).click();
    await page.getByText('Off', { exact: true }).waitFor();
    expect((await chaos('GET')).enabled).toBe(false);

    await page.getByRole('link', { name: 'Overview' }).click();
    await page.waitForSelector('tr[data-service="inventory-api"][data-level="green"]');
    expect(await page.locator('tr[data-level="red"]').count()).toBe(0);
    await screenshot(page, 'overview');

    // Someone else turns chaos on: the overview, left open, goes red by itself, then green again.
    await page.evaluate(() => Object.assign(window, { sameDocument: true }));
    await chaos('POST', { enabled: true, latency_ms: 1500, latency_rate: 1 });
    await page.waitForSelector('tr[data-service="inventory-api"][data-level="red"]', { timeout: 20_000 });
    await chaos('DELETE');
    await page.waitForSelector('tr[data-service="inventory-api"][data-level="green"]', { timeout: 20_000 });
    expect(await stillSameDocument(page)).toBe(true);
    await page.close();
  });

  it('places an order with JavaScript off: the key comes from the server and lines are added by the server', async () => {
    const a = await createTestItem(s.inventoryStore, 5, 'web');
    const b = await createTestItem(s.inventoryStore, 5, 'web');
    const noJs = await browser.newContext({ javaScriptEnabled: false });
    await logIn(noJs, web.url);
    const page = await noJs.newPage();
    await page.goto(`${web.url}/orders`);
    const key = await page.locator('input[name="idempotency_key"]').inputValue();
    await page.selectOption('#line-0-item', a);
    await page.getByRole('button', { name: 'Add a line' }).click();
    await page.selectOption('#line-1-item', b);
    await page.fill('#line-1-quantity', '2');
    await page.getByRole('button', { name: 'Place order' }).click();

    const result = page.getByTestId('order-result');
    await result.waitFor();
    expect(await result.textContent()).toContain('Order placed');
    const orderId = orderIdFor(ADMIN_TOKEN_CALLER.id, key);
    expect(await result.getAttribute('data-order-id')).toBe(orderId);
    const order = await waitForStatus(asAdmin, orderId, ['CONFIRMED']);
    expect(order.lines.map((line: { item_id: string; quantity: number }) => [line.item_id, line.quantity])).toEqual([
      [a, 1],
      [b, 2],
    ]);
    // The next order gets a fresh key.
    expect(await page.locator('input[name="idempotency_key"]').inputValue()).not.toBe(key);
    await noJs.close();
  });

  it('runs the demo from one page: a load, chaos latency and live charts, without a reload', async () => {
    // The load generator orders from every listed item: this one has stock for the whole run.
    await createTestItem(s.inventoryStore, 5_000, 'demo');
    const page = await context.newPage();
    // A CSP refusal (an inline style, a blocked stylesheet) shows in the console as an error; a script error as a page error.
    const consoleErrors: string[] = [];
    const pageErrors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${web.url}/demo`);
    await page.getByRole('heading', { name: 'Demo', level: 1 }).waitFor();
    // The charts exist once the page is hydrated: uPlot draws in the browser only.
    await page.waitForSelector('[data-chart="throughput"] canvas');
    await page.evaluate(() => Object.assign(window, { sameDocument: true }));
    const chartNumber = (name: string, attribute: string) =>
      page.locator(`[data-chart="${name}"]`).evaluate((chart, attr) => Number(chart.getAttribute(attr) || 'NaN'), attribute);
    const waitForChart = (name: string, attribute: string, above: number, timeout: number) =>
      page.waitForFunction(
        ([name, attribute, above]) =>
          Number(document.querySelector(`[data-chart="${name}"]`)?.getAttribute(attribute as string) || 'NaN') > (above as number),
        [name, attribute, above] as const,
        { timeout },
      );

    // Polled, not reloaded: the time of the data moves on by itself.
    const firstUpdate = Number(await page.locator('[data-updated-at]').getAttribute('data-updated-at'));
    await page.waitForFunction(
      (first) => Number(document.querySelector('[data-updated-at]')?.getAttribute('data-updated-at')) > first,
      firstUpdate,
    );

    await page.getByLabel('Orders per second').fill('5');
    // Long enough to still run under chaos below, whatever this machine's pace.
    await page.getByLabel('Duration (s)').fill('60');
    await page.getByRole('button', { name: 'Start load' }).click();
    await page.getByTestId('demo-answer').filter({ hasText: 'Load started: 5 orders/s for 60 s.' }).waitFor();
    await page.waitForSelector('[data-testid="load-status"][data-running="true"]');
    await waitForChart('throughput', 'data-max', 0, 40_000);
    // The tests before placed a few orders in the last two minutes; only the load settles more than 1 a second.
    await waitForChart('throughput', 'data-max', 1, 40_000);
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="load-status"]')?.getAttribute('data-placed')) > 0);
    // The 1 s line is in the latency chart whatever the latencies: on its axis, and in its legend.
    expect(await chartNumber('latency', 'data-threshold-ms')).toBe(1000);
    expect(await chartNumber('latency', 'data-y-max')).toBeGreaterThan(1000);
    expect(await page.locator('[data-chart="latency"] .u-legend').textContent()).toContain('1 s (red on the overview)');

    const backlogBefore = (await chartNumber('backlog', 'data-max')) || 0;
    await page.getByRole('button', { name: 'Latency 5 s on every inventory call' }).click();
    await page.waitForSelector('[data-testid="demo-chaos"][data-enabled="true"]');
    expect(await page.getByTestId('demo-chaos').textContent()).toBe('On: 5000 ms latency on 100 % of calls');
    expect(await chaos('GET')).toMatchObject({ enabled: true, latency_ms: 5000, latency_rate: 1 });
    // Every inventory call now takes 5 s: orders pile up while the load goes on, and those that
    // settle took over a second. Both show while chaos is on.
    await waitForChart('backlog', 'data-max', backlogBefore + 10, 40_000);
    await waitForChart('latency', 'data-max-ms', 1000, 60_000);
    expect((await chaos('GET')).enabled).toBe(true);
    await screenshot(page, 'demo', 'demo');
    await page.getByRole('button', { name: 'Chaos off' }).click();
    await page.waitForSelector('[data-testid="demo-chaos"][data-enabled="false"]');
    expect((await chaos('GET')).enabled).toBe(false);
    expect(await chartNumber('latency', 'data-y-max')).toBeGreaterThan(await chartNumber('latency', 'data-max-ms'));

    // Stopped from the page (if its 60 s are not over by now, that is: the answer is the same).
    await page.getByRole('button', { name: 'Stop load' }).click();
    await page
      .getByTestId('demo-answer')
      .filter({ hasText: /^Load stopped: \d+ placed, \d+ failed\.$/ })
      .waitFor();
    await page.waitForSelector('[data-testid="load-status"][data-running="false"]');
    expect(await chartNumber('stock', 'data-items')).toBeGreaterThan(0);
    expect(await stillSameDocument(page)).toBe(true);

    // At 375 px the charts shrink to the page's width: nothing scrolls sideways.
    await page.setViewportSize({ width: 375, height: 812 });
    await page.waitForFunction(() =>
      [...document.querySelectorAll('[data-chart] canvas')].every((canvas) => canvas.getBoundingClientRect().right <= window.innerWidth),
    );
    const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, viewport: window.innerWidth }));
    expect(widths.page).toBeLessThanOrEqual(widths.viewport);
    await screenshot(page, 'demo-375');

    // The polled resource answers JSON to the logged-in browser.
    const polled = await page.request.get(`${web.url}/demo/stats`);
    expect(polled.status()).toBe(200);
    expect(Object.keys(await polled.json())).toEqual(expect.arrayContaining(['stats', 'items', 'chaos']));
    expect(consoleErrors.filter((text) => /Content Security Policy|Refused to/i.test(text))).toEqual([]);
    expect(pageErrors).toEqual([]);
    if (consoleErrors.length > 0) console.warn('demo page console errors:', consoleErrors);
    await page.close();
  }, 300_000);

  it('fits a phone’s width on every page: only tables scroll sideways', async () => {
    const item = await createTestItem(s.inventoryStore, 5, 'web');
    const placed = await postOrder(s, { lines: [{ item_id: item, quantity: 1 }] }, { key: randomUUID(), wait: 10 });
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await logIn(phone, web.url);
    const page = await phone.newPage();
    for (const [path, name] of [
      ['/', 'phone-overview'],
      ['/orders', 'phone-orders'],
      [`/orders/${placed.body.id}`, 'phone-order-detail'],
      ['/inventory', 'phone-inventory'],
      ['/chaos', 'phone-chaos'],
      ['/demo', 'phone-demo'],
      ['/login', 'phone-login'],
    ] as const) {
      await page.goto(`${web.url}${path}`);
      const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, viewport: window.innerWidth }));
      expect(widths.page, path).toBeLessThanOrEqual(widths.viewport);
      await screenshot(page, name);
    }
    await phone.close();
  });

  it('explains a gateway outage in plain words', async () => {
    const down = await startDashboard(buildDir, { ...env, GATEWAY_URL: `http://127.0.0.1:${await freePort()}` }, 'web-no-gateway');
    try {
      // Logged in already: the cookie is for 127.0.0.1 whatever the port, and signed with the same secret.
      const page = await context.newPage();
      const response = await page.goto(`${down.url}/orders`);
      expect(response?.status()).toBe(503);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('The order gateway is not answering');
      expect(await page.getByRole('alert').textContent()).toContain('Orders already placed are safe');
      await screenshot(page, 'orders-gateway-down');

      await page.goto(`${down.url}/`);
      await page.waitForSelector('tr[data-service="gateway"][data-level="red"]');
      expect(await page.locator('tr[data-service="gateway"]').textContent()).toContain('connection refused');
      await screenshot(page, 'gateway-down');
      await page.close();
    } finally {
      await down.stop();
    }
  });
});
