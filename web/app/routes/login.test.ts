import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { PROBLEM_TYPES } from '../../../shared/contract/problems';
import { startFakeService, type FakeService } from '../test-support/fake-service';
import {
  CHAOS_OFF as CHAOS,
  DASHBOARD,
  HOST,
  TEST_PASSWORD,
  TEST_SESSION_SECRET,
  createTestHandler,
  type TestRoute,
} from '../test-support/request-handler';

const ADMIN_TOKEN = 'test-admin-token-for-the-gateway';
const ORDER_ID = 'ord_0123456789abcdef0123456789abcdef';
/** Routes anyone may reach. */
const OPEN = new Set(['routes/login', 'routes/logout', 'routes/health', 'routes/health.deep']);

let services: FakeService;
let dashboard: Awaited<ReturnType<typeof createTestHandler>>;

beforeAll(async () => {
  services = await startFakeService((request, response) => {
    if (request.path === '/api/orders/events') {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      return void response.end('retry: 3000\n\n');
    }
    if (request.path.startsWith('/api/admin/chaos')) return { body: CHAOS };
    return { status: 404, body: { type: 'about:blank', title: 'Not Found', status: 404 } };
  });
  vi.stubEnv('INVENTORY_URL', services.url);
  vi.stubEnv('GATEWAY_URL', services.url);
  vi.stubEnv('ADMIN_TOKEN', ADMIN_TOKEN);
  vi.stubEnv('DASHBOARD_PASSWORD', TEST_PASSWORD);
  vi.stubEnv('SESSION_SECRET', TEST_SESSION_SECRET);
  dashboard = await createTestHandler();
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await services.close();
});
afterEach(() => {
  vi.useRealTimers();
});

const get = (path: string, headers: Record<string, string> = {}) =>
  dashboard.handle(new Request(`${DASHBOARD}${path}`, { headers: { ...HOST, ...headers } }));

/** A same-origin POST unless `headers` say otherwise (`origin: ''` leaves the header out). */
function post(path: string, form: Record<string, string>, headers: Record<string, string> = {}, base = DASHBOARD) {
  const sent = Object.entries({ ...HOST, origin: base, ...headers }).filter(([, value]) => value !== '');
  return dashboard.handle(new Request(`${base}${path}`, { method: 'POST', headers: sent, body: new URLSearchParams(form) }));
}

/** A login from its own address, so the throttle's count for one test leaves the others alone. */
let addresses = 0;
const logInFrom = (form: Record<string, string>, address = `192.0.2.${++addresses}`) =>
  post('/login', form, { 'x-forwarded-for': address });

const cookieOf = (response: Response) => response.headers.get('set-cookie')?.split(';')[0];

/** A URL for the route, with its parameter filled in. */
const pathOf = (route: TestRoute) => `/${(route.path ?? '').replace(':id', ORDER_ID)}`;
const dataPathOf = (route: TestRoute) => (pathOf(route) === '/' ? '/_root.data' : `${pathOf(route)}.data`);
const isResource = (route: TestRoute) => !('default' in route.module);

async function expectUnauthorizedProblem(response: Response) {
  expect(response.status).toBe(401);
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  expect(await response.json()).toMatchObject({ type: PROBLEM_TYPES.unauthorized, status: 401 });
}

describe('without a session', () => {
  const guarded = () => dashboard.routes.filter((route) => !OPEN.has(route.id));

  it('guards every route except login, logout and the health routes (a new route is covered here by itself)', () => {
    expect(guarded().map((route) => route.id)).toEqual(
      expect.arrayContaining([
        'routes/_index',
        'routes/api.events',
        'routes/chaos',
        'routes/inventory',
        'routes/orders._index',
        'routes/orders.$id',
      ]),
    );
  });

  it('sends a page request to the login page, remembering where it was going', async () => {
    for (const route of guarded().filter((route) => !isResource(route))) {
      const response = await get(pathOf(route));
      expect(response.status, route.id).toBe(302);
      const location = new URL(response.headers.get('location')!, DASHBOARD);
      expect(location.pathname, route.id).toBe('/login');
      expect(location.searchParams.get('redirectTo') ?? '/', route.id).toBe(pathOf(route));
    }
    const filtered = await get('/orders?status=FAILED');
    expect(filtered.headers.get('location')).toBe(`/login?redirectTo=${encodeURIComponent('/orders?status=FAILED')}`);
  });

  it('answers a data request (.data and ?_data=) with 401 problem+json', async () => {
    for (const route of guarded().filter((route) => !isResource(route))) {
      await expectUnauthorizedProblem(await get(dataPathOf(route)));
      await expectUnauthorizedProblem(await get(`${pathOf(route)}?_data=${encodeURIComponent(route.id)}`));
    }
  });

  it('answers the event stream and every other resource route with 401 problem+json, before calling the gateway', async () => {
    const before = services.requests.length;
    for (const route of guarded().filter(isResource)) await expectUnauthorizedProblem(await get(pathOf(route)));
    expect(services.requests.length).toBe(before);
  });

  it('refuses every action, as a page and as a data request, before it reaches any service', async () => {
    const before = services.requests.length;
    for (const route of guarded().filter((route) => 'action' in route.module)) {
      const page = await post(route.index ? `${pathOf(route)}?index` : pathOf(route), { intent: 'off' });
      expect(page.status, route.id).toBe(302);
      expect(page.headers.get('location'), route.id).toMatch(/^\/login\?redirectTo=/);
      await expectUnauthorizedProblem(await post(route.index ? `${dataPathOf(route)}?index` : dataPathOf(route), { intent: 'off' }));
    }
    expect(services.requests.length).toBe(before);
  });

  it('still answers /health, /health/deep and the login page, without navigation or a log-out button', async () => {
    expect((await get('/health')).status).toBe(200);
    expect([200, 503]).toContain((await get('/health/deep')).status);
    const login = await get('/login');
    expect(login.status).toBe(200);
    const html = await login.text();
    expect(html).toContain('type="password"');
    expect(html).not.toContain('Log out');
    expect(html).not.toContain('aria-label="Main"');
  });
});

describe('logging in', () => {
  it('refuses a wrong password with a message and no cookie; the session stays closed', async () => {
    const response = await logInFrom({ password: 'not-the-password' });
    expect(response.status).toBe(400);
    expect(response.headers.get('set-cookie')).toBeNull();
    expect(await response.text()).toContain('Wrong password.');
    const data = await post('/login.data', { password: '' }, { 'x-forwarded-for': '192.0.2.200' });
    expect(data.status).toBe(400);
    expect(data.headers.get('set-cookie')).toBeNull();
  });

  it('gives the right password a signed, httpOnly, SameSite=Lax cookie for 12 hours that opens every page, data request and the stream', async () => {
    const response = await logInFrom({ password: TEST_PASSWORD, redirectTo: '/chaos' });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/chaos');
    const setCookie = response.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/^valerix_session=[^;]+\./); // value.signature
    expect(setCookie).toContain('Max-Age=43200');
    expect(setCookie).toContain('Path=/');
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Lax');
    expect(setCookie).not.toContain('Secure');

    const cookie = { cookie: cookieOf(response)! };
    const page = await get('/chaos', cookie);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Log out');
    expect(html).toContain('action="/logout"');
    expect((await get('/chaos.data', cookie)).status).toBe(200);
    expect((await get('/chaos?_data=routes%2Fchaos', cookie)).status).toBe(200);

    const stream = await get('/api/events', cookie);
    expect(stream.headers.get('content-type')).toContain('text/event-stream');
    expect(await stream.text()).toBe('retry: 3000\n\n');
    expect(services.requests.at(-1)).toMatchObject({ path: '/api/orders/events', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });

    // A logged-in visit to the login page goes on to where it was headed.
    expect((await get('/login?redirectTo=%2Finventory', cookie)).headers.get('location')).toBe('/inventory');
  });

  it('logs in from a form sent with JavaScript (a single-fetch data request) too', async () => {
    const response = await post('/login.data', { password: TEST_PASSWORD, redirectTo: '/orders' }, { 'x-forwarded-for': '192.0.2.201' });
    expect(response.status).toBe(202); // single fetch's redirect
    expect(cookieOf(response)).toMatch(/^valerix_session=/);
    expect(await response.text()).toContain('/orders');
  });

  it('marks the cookie Secure when the request came over https', async () => {
    const response = await post('/login', { password: TEST_PASSWORD }, { 'x-forwarded-for': '192.0.2.202' }, 'https://dashboard.test:3000');
    expect(response.status).toBe(302);
    expect(response.headers.get('set-cookie')).toContain('Secure');
  });

  it('refuses a cross-site login POST with 403 problem+json, as a page and as a data request, and sets no cookie', async () => {
    for (const [path, headers] of [
      ['/login', { origin: '', 'sec-fetch-site': 'cross-site' }],
      ['/login.data', { origin: 'https://evil.example' }],
    ] as const) {
      const response = await post(path, { password: TEST_PASSWORD }, headers);
      expect(response.status, path).toBe(403);
      expect(response.headers.get('set-cookie')).toBeNull();
      expect(await response.json()).toMatchObject({ type: PROBLEM_TYPES.forbidden, status: 403 });
    }
  });

  it('only follows redirectTo to a path of this site', async () => {
    for (const target of [
      'https://evil.example/',
      '//evil.example/',
      '/\\evil.example/',
      '/\t/evil.example/',
      '/.//evil.example/',
      'javascript:alert(1)',
      '/login?redirectTo=//evil.example',
    ]) {
      const response = await logInFrom({ password: TEST_PASSWORD, redirectTo: target });
      expect(response.headers.get('location'), target).toBe('/');
    }
    const kept = await logInFrom({ password: TEST_PASSWORD, redirectTo: '/orders?status=FAILED' });
    expect(kept.headers.get('location')).toBe('/orders?status=FAILED');

    const anonymous = await get('/login?redirectTo=https%3A%2F%2Fevil.example%2F');
    expect(await anonymous.text()).toContain('name="redirectTo" value="/"');
    const cookie = { cookie: cookieOf(kept)! };
    expect((await get('/login?redirectTo=%2F%2Fevil.example', cookie)).headers.get('location')).toBe('/');
  });

  it('stops an address after 5 wrong passwords for 15 minutes, even with the right one, and leaves other addresses alone', async () => {
    const address = '198.51.100.7';
    for (let attempt = 0; attempt < 5; attempt += 1) expect((await logInFrom({ password: `guess-${attempt}` }, address)).status).toBe(400);

    const blocked = await logInFrom({ password: TEST_PASSWORD }, address);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(14 * 60);
    expect(blocked.headers.get('set-cookie')).toBeNull();
    expect(await blocked.text()).toContain('Too many wrong passwords. Try again in 15 minutes.');
    // A proxy appends the address it saw; what the client put before it changes nothing.
    expect((await post('/login', { password: TEST_PASSWORD }, { 'x-forwarded-for': `203.0.113.9, ${address}` })).status).toBe(429);

    expect((await logInFrom({ password: TEST_PASSWORD }, '198.51.100.8')).status).toBe(302);
  });
});

describe('a session', () => {
  it('ends after 12 hours even if the browser keeps the cookie', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-11-25T08:00:00.000Z'));
    const cookie = { cookie: cookieOf(await logInFrom({ password: TEST_PASSWORD }))! };
    vi.setSystemTime(new Date('2026-11-25T19:59:00.000Z'));
    expect((await get('/chaos', cookie)).status).toBe(200);
    vi.setSystemTime(new Date('2026-11-25T20:00:00.000Z'));
    expect((await get('/chaos', cookie)).status).toBe(302);
    await expectUnauthorizedProblem(await get('/chaos.data', cookie));
  });

  it('is refused when its cookie was tampered with or signed with another secret', async () => {
    const cookie = cookieOf(await logInFrom({ password: TEST_PASSWORD }))!;
    const [name, value] = cookie.split('=') as [string, string];
    const [payload, signature] = value.split('.') as [string, string];
    const forged = btoa(JSON.stringify({ loggedInAt: Date.now() + 60 * 60_000 }));
    for (const attempt of [`${name}=${forged}`, `${name}=${forged}.${signature}`, `${name}=${payload}.${signature.slice(1)}x`]) {
      expect((await get('/chaos', { cookie: attempt })).status, attempt).toBe(302);
    }
  });

  it('logs out with a POST from the dashboard: the cookie is cleared and pages go to the login again', async () => {
    const cookie = cookieOf(await logInFrom({ password: TEST_PASSWORD }))!;
    expect((await post('/logout', {}, { cookie, origin: '', 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    const response = await post('/logout', {}, { cookie });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/login');
    const cleared = response.headers.get('set-cookie')!;
    expect(cleared).toMatch(/^valerix_session=;/);
    expect(cleared).toContain('Expires=Thu, 01 Jan 1970');
    expect((await get('/chaos', { cookie: cleared.split(';')[0]! })).status).toBe(302);
  });
});
