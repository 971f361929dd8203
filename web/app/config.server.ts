import { z } from 'zod';
import { checkSecrets, loadConfig, secret } from '../../shared/contract/environment';

const url = (fallback: string) => z.string().url().default(fallback);

/** One URL, or several separated by commas (every gateway of a scaled-out stack). */
const urlList = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value) => value.split(',').map((part) => part.trim()))
    .pipe(z.array(z.string().url()).min(1));

const schema = z.object({
  GATEWAY_URL: urlList('http://127.0.0.1:3001'),
  /** Where a browser reaches the gateway (its API docs); the first GATEWAY_URL when unset. */
  GATEWAY_PUBLIC_URL: z.string().url().optional(),
  INVENTORY_URL: url('http://127.0.0.1:3002'),
  WORKER_URL: url('http://127.0.0.1:3003'),
  TEMPORAL_UI_URL: url('http://127.0.0.1:8233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  /** Admin bearer token at the gateway and the inventory service; used by loaders and actions only. */
  ADMIN_TOKEN: secret('ADMIN_TOKEN'),
  /** The operator's login password. */
  DASHBOARD_PASSWORD: secret('DASHBOARD_PASSWORD'),
  /** Signs the session cookie; changing it ends every session. */
  SESSION_SECRET: secret('SESSION_SECRET'),
  /** Behind a proxy that terminates TLS, the dashboard itself only sees http: set true there. */
  SESSION_COOKIE_SECURE: z.enum(['true', 'false']).default('false'),
});

/** The dashboard's server-side settings; nothing here reaches the browser unless a loader returns it. */
export const config = (() => {
  const parsed = loadConfig('web', schema, process.env);
  const published = checkSecrets(
    'web',
    {
      ADMIN_TOKEN: parsed.ADMIN_TOKEN,
      DASHBOARD_PASSWORD: parsed.DASHBOARD_PASSWORD,
      SESSION_SECRET: parsed.SESSION_SECRET,
    },
    process.env,
  );
  if (published.length > 0) {
    console.warn(JSON.stringify({ level: 'warn', service: 'web', msg: `published development ${published.join(', ')} in use` }));
  }
  return {
    gatewayUrls: parsed.GATEWAY_URL,
    gatewayPublicUrl: parsed.GATEWAY_PUBLIC_URL ?? parsed.GATEWAY_URL[0]!,
    inventoryUrl: parsed.INVENTORY_URL,
    workerUrl: parsed.WORKER_URL,
    temporalUiUrl: parsed.TEMPORAL_UI_URL,
    temporalNamespace: parsed.TEMPORAL_NAMESPACE,
    adminToken: parsed.ADMIN_TOKEN,
    dashboardPassword: parsed.DASHBOARD_PASSWORD,
    sessionSecret: parsed.SESSION_SECRET,
    secureCookie: parsed.SESSION_COOKIE_SECURE === 'true',
  };
})();
