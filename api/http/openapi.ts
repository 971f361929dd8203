import type { AnyFastify } from './types';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';

/** OpenAPI from the route schemas: JSON at /docs/json, a browsable UI at /docs. */
/** `security`: the requirement every operation has unless it says otherwise (the gateway's API key). */
export async function registerOpenApi(
  app: AnyFastify,
  info: { title: string; description: string; security?: Record<string, string[]>[] },
): Promise<void> {
  const { security, ...described } = info;
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { ...described, version: '0.1.0' },
      ...(security ? { security } : {}),
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer', description: 'A gateway API key, or the ADMIN_TOKEN' },
          adminToken: { type: 'http', scheme: 'bearer' },
          serviceToken: { type: 'http', scheme: 'bearer' },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
}
