import Fastify, { type FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Client } from '@temporalio/client';
import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import type { OrderPolicy } from '../../shared/contract/orders';
import type { OrdersDb } from '../../shared/orders-db';
import { registerHealthRoutes } from '../http/health';
import { createMetricsRegistry } from '../../shared/metrics';
import { registerHttpMetrics } from '../http/metrics';
import { registerGatewayMetrics } from './metrics';
import { registerOpenApi } from '../http/openapi';
import { createBackupRuns } from '../../shared/backup-runs';
import { createOrderRecords } from '../../shared/order-records';
import { registerProblemHandling } from '../http/problem';
import { LOAD_GENERATOR_CALLER } from './clients/keys';
import { orderProblem } from './orders/errors';
import { createLoadGenerator, loadProblem } from './operator/load-generator';
import { registerOperatorRoutes } from './operator/routes';
import { createAcceptWindow } from './operator/stats';
import { addressKey, registerRateLimit } from '../http/rate-limit';
import { httpServerOptions } from '../http/server-options';
import { registerStrictValidation } from '../http/validation';
import { createAuthenticator } from './clients/authenticate';
import { createClientStore } from './clients/store';
import { createOrderEventFeed } from './events/feed';
import { registerOrderEventRoutes } from './events/routes';
import { registerOrderRoutes } from './orders/routes';
import { createOrderService } from './orders/service';

export interface GatewayDeps {
  temporal: Client;
  db: OrdersDb;
  redis: Redis;
  /** A second connection, held by the blocking stream reader behind SSE. */
  redisSubscriber: Redis;
  inventoryUrl: string;
  policy: OrderPolicy;
  taskQueue: string;
  logLevel: string;
  /** New orders (POST /api/orders) one caller may place per minute, shared by every gateway through Redis. */
  ordersPerMinute: number;
  /** An order not terminal this long after its last transition counts as stuck (orders_stuck). */
  stuckAfterMs: number;
  /** The admin secret (ADMIN_TOKEN): accepted as the admin role, besides admin API keys. */
  adminToken: string;
  /** This app's Prometheus registry (server.ts adds process metrics); a fresh one if omitted. */
  metrics?: Registry;
}

export async function buildGatewayApp(deps: GatewayDeps): Promise<FastifyInstance> {
  const app = Fastify(httpServerOptions('gateway', deps.logLevel)).withTypeProvider<TypeBoxTypeProvider>();
  registerProblemHandling(app, (err) => orderProblem(err) ?? loadProblem(err));
  registerStrictValidation(app);
  const authenticate = createAuthenticator({ clients: createClientStore(deps.db), adminToken: deps.adminToken });
  // Before the rate limit's route hooks, so that budgets are per client. Health, metrics and docs stay open.
  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.url?.startsWith('/api/')) await authenticate(request);
  });
  await registerRateLimit(app, {
    redis: deps.redis,
    service: 'gateway',
    callerOf: (request) => (request.caller ? `client:${request.caller.id}` : addressKey(request)),
    perMinute: () => deps.ordersPerMinute,
    limits: (request) => request.method === 'POST' && request.routeOptions.url === '/api/orders',
  });
  const records = createOrderRecords(deps.db);
  const backupRuns = createBackupRuns(deps.db);
  const registry = deps.metrics ?? createMetricsRegistry('gateway');
  registerHttpMetrics(app, registry);
  registerGatewayMetrics(
    app,
    registry,
    {
      afterSeconds: deps.stuckAfterMs / 1000,
      count: () => records.countStuck(deps.stuckAfterMs),
    },
    () => backupRuns.lastUpload(),
  );
  await registerOpenApi(app, {
    title: 'Valerix gateway',
    description:
      'Orders as Temporal sagas. Every /api route needs `Authorization: Bearer <API key>`; every POST an Idempotency-Key. ' +
      'Errors are application/problem+json.',
    security: [{ apiKey: [] }],
  });
  registerHealthRoutes(app, {
    temporal: () => deps.temporal.workflowService.getSystemInfo({}),
    orders_db: () => deps.db.$queryRaw`SELECT 1`,
    redis: () => deps.redis.ping(),
    inventory: async () => {
      const response = await fetch(new URL('/health', deps.inventoryUrl), { signal: AbortSignal.timeout(2000) });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
    },
  });

  const orders = createOrderService({ temporal: deps.temporal, db: deps.db, policy: deps.policy, taskQueue: deps.taskQueue, log: app.log });
  registerOrderRoutes(app, orders);
  const accepts = createAcceptWindow();
  app.addHook('onResponse', async (request, reply) => {
    if (request.method === 'POST' && request.routeOptions.url === '/api/orders' && (reply.statusCode === 201 || reply.statusCode === 202))
      accepts.record(reply.elapsedTime);
  });
  const load = createLoadGenerator({
    // The same path as POST /api/orders, minus HTTP; its accept time counts in the charts too.
    async place(key, lines) {
      const began = performance.now();
      await orders.placeOrder(LOAD_GENERATOR_CALLER, key, lines, 0);
      accepts.record(performance.now() - began);
    },
    async listItems() {
      const response = await fetch(new URL('/api/inventory', deps.inventoryUrl), { signal: AbortSignal.timeout(5000) });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return ((await response.json()) as { items: { item_id: string }[] }).items.map((item) => item.item_id);
    },
    log: app.log,
  });
  registerOperatorRoutes(app, { records, accepts, load });
  app.addHook('onClose', async () => {
    await load.stop();
  });
  const feed = createOrderEventFeed(deps.redisSubscriber, deps.redis, app.log);
  registerOrderEventRoutes(app, feed);
  app.addHook('onReady', async () => feed.start());
  app.addHook('onClose', async () => feed.stop());
  return app;
}
