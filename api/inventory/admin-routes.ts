import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { problemResponses } from '../http/problem';
import type { ChaosStore } from './chaos';

type OnRequestHook = (request: FastifyRequest) => Promise<void>;
type App = FastifyInstance<any, any, any, any, TypeBoxTypeProvider>; // eslint-disable-line @typescript-eslint/no-explicit-any

const Rate = Type.Number({ minimum: 0, maximum: 1 });
const ChaosSettingsSchema = Type.Object({
  enabled: Type.Boolean(),
  latency_ms: Type.Integer(),
  latency_rate: Type.Number(),
  crash_rate: Type.Number(),
  lost_response_rate: Type.Number(),
  kill_rate: Type.Number(),
  updated_at: Type.String({ format: 'date-time' }),
});
const ChaosUpdateSchema = Type.Object(
  {
    enabled: Type.Optional(Type.Boolean({ description: 'false turns chaos off, keeping the other values' })),
    latency: Type.Optional(Type.Boolean({ description: "The seed's switch: true = 5 s on every call" })),
    latency_ms: Type.Optional(Type.Integer({ minimum: 0, maximum: 60_000 })),
    latency_rate: Type.Optional(Rate),
    crash_rate: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'Share of calls failing with 503 before any commit' })),
    lost_response_rate: Type.Optional(
      Type.Number({ minimum: 0, maximum: 1, description: 'Share of stock changes committed whose answer is dropped' }),
    ),
    kill_rate: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'Share of stock changes that end the process' })),
  },
  { additionalProperties: false },
);

const problems = problemResponses(401, 403);

/** `/api/admin/chaos`: read, change (partial updates) and switch off chaos mode. Bearer token required. */
export function registerAdminRoutes(app: App, chaos: ChaosStore, onlyAdmin: OnRequestHook): void {
  const common = { tags: ['admin'], security: [{ adminToken: [] }] };
  const onRequest = onlyAdmin;
  app.get('/api/admin/chaos', { onRequest, schema: { ...common, response: { 200: ChaosSettingsSchema, ...problems } } }, () => chaos.get());
  app.post(
    '/api/admin/chaos',
    {
      onRequest,
      schema: {
        ...common,
        description: 'Partial update; fields left out keep their values. Seed body: {"latency": true, "crash_rate": 0.3}.',
        body: ChaosUpdateSchema,
        response: { 200: ChaosSettingsSchema, ...problems },
      },
    },
    (request) => chaos.update(request.body),
  );
  app.delete('/api/admin/chaos', { onRequest, schema: { ...common, response: { 200: ChaosSettingsSchema, ...problems } } }, () =>
    chaos.disable(),
  );
}
