import { createRequestHandler, type ServerBuild } from '@remix-run/node';
import { CHAOS_OFF } from '../../../shared/contract/chaos';

export const DASHBOARD = 'http://dashboard.test:3000';
export const HOST = { host: 'dashboard.test:3000' };
export const TEST_PASSWORD = 'test-dashboard-password';
export const TEST_SESSION_SECRET = 'test-session-secret-0123456789';
/** Chaos settings as the inventory service answers them when chaos mode is off. */
export { CHAOS_OFF };

export interface TestRoute {
  id: string;
  path: string | undefined;
  index: boolean | undefined;
  module: Record<string, unknown>;
}

/** A route file as Remix's flat routes name it: `orders.$id.tsx` is `orders/:id`, `orders._index.tsx` the index of `orders`. */
function routeOf(file: string, module: Record<string, unknown>): TestRoute {
  const id = file.replace(/^\.\.\//, '').replace(/\.tsx?$/, '');
  const segments = id.replace(/^routes\//, '').split('.');
  const index = segments.at(-1) === '_index';
  if (index) segments.pop();
  const path = segments.map((segment) => (segment.startsWith('$') ? `:${segment.slice(1)}` : segment)).join('/');
  return { id, path: path || undefined, index: index || undefined, module };
}

/**
 * The dashboard's own server entry and every route module under Remix's real request handler,
 * as remix-serve runs them. Call it after stubbing the environment: config.server reads it on import.
 */
export async function createTestHandler() {
  const files = import.meta.glob<Record<string, unknown>>(['../routes/*.{ts,tsx}', '!../routes/*.test.*']);
  const routes = [
    { id: 'root', path: '', index: undefined, module: await import('../root') },
    ...(await Promise.all(Object.entries(files).map(async ([file, load]) => routeOf(file, await load())))),
  ];
  const build = {
    mode: 'production',
    entry: { module: await import('../entry.server') },
    routes: Object.fromEntries(routes.map((route) => [route.id, { ...route, parentId: route.id === 'root' ? undefined : 'root' }])),
    assets: {
      entry: { module: '/entry.client.js', imports: [] },
      routes: Object.fromEntries(
        routes.map(({ module, ...route }) => [
          route.id,
          {
            ...route,
            parentId: route.id === 'root' ? undefined : 'root',
            module: `/${route.id}.js`,
            hasAction: 'action' in module,
            hasLoader: 'loader' in module,
            hasErrorBoundary: 'ErrorBoundary' in module,
          },
        ]),
      ),
      url: '/manifest.js',
      version: 'test',
    },
    publicPath: '/',
    assetsBuildDirectory: '/nonexistent',
    future: { v3_singleFetch: true },
    isSpaMode: false,
  } as unknown as ServerBuild;
  const handler = createRequestHandler(build, 'production');
  const handle = (request: Request) => handler(request);

  /** Logs in through the login form's action and answers the session cookie to send. */
  async function logIn(): Promise<string> {
    const response = await handle(
      new Request(`${DASHBOARD}/login`, {
        method: 'POST',
        headers: { ...HOST, origin: DASHBOARD, 'x-forwarded-for': '192.0.2.1' },
        body: new URLSearchParams({ password: TEST_PASSWORD }),
      }),
    );
    const cookie = response.headers.get('set-cookie');
    if (response.status !== 302 || !cookie) throw new Error(`login failed: HTTP ${response.status}`);
    return cookie.split(';')[0]!;
  }

  return { handle, routes: routes.filter((route) => route.id !== 'root'), logIn };
}
