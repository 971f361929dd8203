import Fastify, { type FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import { requireRole, type BearerCredential } from '../http/bearer-auth';
import { registerHealthRoutes } from '../http/health';
import { credentialOrAddress, registerRateLimit, tokenKey } from '../http/rate-limit';
import { createMetricsRegistry } from '../../shared/metrics';
import { registerHttpMetrics } from '../http/metrics';
import { registerInventoryMetrics } from './metrics';
import { registerOpenApi } from '../http/openapi';
import { registerProblemHandling } from '../http/problem';
import { httpServerOptions } from '../http/server-options';
import { registerStrictValidation } from '../http/validation';
import { registerAdminRoutes } from './admin-routes';
import { registerStockRoutes } from './stock-routes';
import { createChaosFaults, type ChaosStore } from './chaos';
import { NO_FAULTS, type InventoryFaults } from './faults';
import type { InventoryStore } from './store';

export interface InventoryAppDeps {
  store: InventoryStore;
  logLevel: string;
  /** Who may change stock: the worker (service token) reserves and releases, an admin restocks and drives chaos. */
  credentials: InventoryCredentials;
  /** Per-caller budgets of the /api routes, counted in Redis across replicas. */
  rateLimit: { redis: Redis; perMinute: number; servicePerMinute: number };
  /** Chaos mode (shared through Redis) with its admin routes; omitted in tests that inject faults directly. */
  chaos?: { store: ChaosStore; ping: () => Promise<unknown> };
  /** Fault hooks for tests; chaos mode supplies them otherwise. */
  faults?: InventoryFaults;
  /** This app's Prometheus registry (server.ts adds process metrics); a fresh one if omitted. */
  metrics?: Registry;
}

export interface InventoryCredentials {
  serviceToken: string;
  adminToken: string;
}

export async function buildInventoryApp({
  store,
  logLevel,
  credentials,
  rateLimit,
  chaos,
  faults: injectedFaults,
  metrics,
}: InventoryAppDeps): Promise<FastifyInstance> {
  const app = Fastify(httpServerOptions('inventory', logLevel)).withTypeProvider<TypeBoxTypeProvider>();
  registerProblemHandling(app);
  registerStrictValidation(app);
  const workerKey = tokenKey(credentials.serviceToken);
  await registerRateLimit(app, {
    redis: rateLimit.redis,
    service: 'inventory',
    callerOf: credentialOrAddress([credentials.serviceToken, credentials.adminToken]),
    // The worker carries every order's reservations; anyone else gets a person's budget.
    perMinute: (caller) => (caller === workerKey ? rateLimit.servicePerMinute : rateLimit.perMinute),
    limits: (request) => request.url.startsWith('/api/'),
  });
  const registry = metrics ?? createMetricsRegistry('inventory');
  registerHttpMetrics(app, registry);
  const inventoryMetrics = registerInventoryMetrics(registry, {
    items: () => store.list(),
    chaos: chaos && (() => chaos.store.get()),
    log: app.log,
  });
  await registerOpenApi(app, {
    title: 'Valerix inventory',
    description: 'Stock changes only through reservations with unique ids; release is idempotent.',
  });
  registerHealthRoutes(app, { postgres: () => store.ping(), ...(chaos ? { redis: chaos.ping } : {}) });

  const chaosFaults = chaos ? createChaosFaults(chaos.store) : undefined;
  const faults = injectedFaults ?? chaosFaults ?? NO_FAULTS;
  const bearer: BearerCredential[] = [
    { role: 'service', token: credentials.serviceToken },
    { role: 'admin', token: credentials.adminToken },
  ];
  const onlyService = requireRole(bearer, ['service'], 'INVENTORY_SERVICE_TOKEN (the worker)');
  const onlyAdmin = requireRole(bearer, ['admin'], 'ADMIN_TOKEN');
  if (chaos) {
    registerAdminRoutes(app, chaos.store, onlyAdmin);
    // Latency and injected 5xx hit the business routes only; health, metrics and admin stay usable.
    app.addHook('preHandler', async (request) => {
      if (request.url.startsWith('/api/inventory')) await chaosFaults?.beforeRequest();
    });
  }

  registerStockRoutes(app, { store, faults, metrics: inventoryMetrics, onlyService, onlyAdmin });

  return app;
}
