import type { AnyFastify } from './types';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';

/** OpenAPI from the route schemas: JSON at /docs/json, a browsable UI at /docs. */
export async function registerOpenApi(app: AnyFastify, info: { title: string; description: string }): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { ...info, version: '0.1.0' },
      components: {
        securitySchemes: {
          adminToken: { type: 'http', scheme: 'bearer' },
          serviceToken: { type: 'http', scheme: 'bearer' },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
}
