import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PROBLEM_TYPES } from '../../shared/contract/problems';
import { startFakeService, type FakeService } from './test-support/fake-service';
import { CHAOS_OFF as CHAOS, DASHBOARD, HOST, TEST_PASSWORD, TEST_SESSION_SECRET, createTestHandler } from './test-support/request-handler';

let services: FakeService;
let handle: (request: Request) => Promise<Response>;
/** Every request here is logged in: what is tested is what comes after the session check. */
let session: string;

beforeAll(async () => {
  services = await startFakeService((request) =>
    request.path.startsWith('/api/admin/chaos')
      ? { body: CHAOS }
      : { status: 404, body: { type: 'about:blank', title: 'Not Found', status: 404 } },
  );
  vi.stubEnv('INVENTORY_URL', services.url);
  vi.stubEnv('GATEWAY_URL', services.url);
  vi.stubEnv('DASHBOARD_PASSWORD', TEST_PASSWORD);
  vi.stubEnv('SESSION_SECRET', TEST_SESSION_SECRET);
  const handler = await createTestHandler();
  handle = handler.handle;
  session = await handler.logIn();
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await services.close();
});

const post = (path: string, headers: Record<string, string>, form: Record<string, string> = {}) =>
  handle(
    new Request(`${DASHBOARD}${path}`, {
      method: 'POST',
      headers: { ...HOST, cookie: session, ...headers },
      body: new URLSearchParams(form),
    }),
  );
const get = (path: string) => handle(new Request(`${DASHBOARD}${path}`, { headers: { ...HOST, cookie: session } }));

const ACTIONS: { path: string; routeId: string; form: Record<string, string> }[] = [
  { path: '/chaos', routeId: 'routes/chaos', form: { intent: 'off' } },
  { path: '/inventory', routeId: 'routes/inventory', form: { item_id: 'ps5', quantity: '5' } },
  { path: '/orders?index', routeId: 'routes/orders._index', form: { idempotency_key: 'k' } },
  { path: '/orders/ord_0123456789abcdef0123456789abcdef', routeId: 'routes/orders.$id', form: {} },
];

// Remix checks Origin on document and single-fetch POSTs only when the header is there, and ?_data= not at all.
const CROSS_SITE_DATA_REQUESTS = (path: string, routeId: string): { target: string; headers: Record<string, string> }[] => [
  { target: path.replace(/^([^?]*)/, '$1.data'), headers: { 'sec-fetch-site': 'cross-site' } },
  { target: `${path}${path.includes('?') ? '&' : '?'}_data=${encodeURIComponent(routeId)}`, headers: { origin: 'https://evil.example' } },
];

describe('dashboard actions refuse other sites', () => {
  const nonGetCalls = () => services.requests.filter((request) => request.method !== 'GET').length;

  for (const { path, routeId, form } of ACTIONS) {
    for (const { target, headers } of CROSS_SITE_DATA_REQUESTS(path, routeId)) {
      it(`refuses a cross-site data POST to ${target} with a problem, before it reaches any service`, async () => {
        const before = nonGetCalls();
        const response = await post(target, headers, form);
        expect(response.status).toBe(403);
        expect(response.headers.get('content-type')).toBe('application/problem+json');
        expect(await response.json()).toMatchObject({ type: PROBLEM_TYPES.forbidden, status: 403 });
        expect(nonGetCalls()).toBe(before);
      });
    }

    it(`refuses a cross-site document POST to ${path} with a problem, before it reaches any service`, async () => {
      const before = nonGetCalls();
      // With a foreign Origin, Remix's own document check answers first (a 500); without one, ours does.
      expect((await post(path, { origin: 'https://evil.example' }, form)).status).toBeGreaterThanOrEqual(400);
      const response = await post(path, { 'sec-fetch-site': 'cross-site' }, form);
      expect(response.status).toBe(403);
      expect(await response.json()).toMatchObject({ type: PROBLEM_TYPES.forbidden });
      expect(nonGetCalls()).toBe(before);
    });
  }

  it('refuses a POST whose only clue is Sec-Fetch-Site: cross-site, and one with no clue at all', async () => {
    expect((await post('/chaos.data', { 'sec-fetch-site': 'cross-site' }, { intent: 'off' })).status).toBe(403);
    expect((await post('/chaos.data', {}, { intent: 'off' })).status).toBe(403);
    expect((await post('/chaos.data', { referer: 'https://evil.example/page' }, { intent: 'off' })).status).toBe(403);
  });

  it('runs a same-origin data POST, told by Origin, Sec-Fetch-Site or Referer', async () => {
    for (const headers of [{ origin: DASHBOARD }, { 'sec-fetch-site': 'same-origin' }, { referer: `${DASHBOARD}/chaos` }] as Record<
      string,
      string
    >[]) {
      const before = services.requests.filter((request) => request.method === 'DELETE').length;
      const response = await post('/chaos.data', headers, { intent: 'off' });
      expect(response.status).toBe(200);
      expect(services.requests.filter((request) => request.method === 'DELETE').length).toBe(before + 1);
    }
  });
});

describe('security headers', () => {
  it('sends CSP with a fresh nonce on the scripts, and the other headers, on a page', async () => {
    const response = await get('/chaos');
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("frame-ancestors 'none'");
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeTruthy();
    const html = await response.text();
    const scripts = html.match(/<script\b[^>]*>/g) ?? [];
    expect(scripts.length).toBeGreaterThan(0);
    for (const script of scripts) expect(script).toContain(`nonce="${nonce}"`);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    const again = await get('/chaos');
    expect(again.headers.get('content-security-policy')).not.toContain(nonce);
  });

  it('sends them on data requests too', async () => {
    const response = await get('/chaos.data');
    expect(response.status).toBe(200);
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  });
});
