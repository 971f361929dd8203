import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ChaosSettingsSchema, ChaosUpdateSchema } from '../../shared/contract/chaos';
import { problemResponses } from '../http/problem';
import type { ChaosStore } from './chaos';

type OnRequestHook = (request: FastifyRequest) => Promise<void>;
type App = FastifyInstance<any, any, any, any, TypeBoxTypeProvider>; // eslint-disable-line @typescript-eslint/no-explicit-any

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
