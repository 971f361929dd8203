import type { FastifyError, FastifyReply } from 'fastify';
import type { AnyFastify } from './types';
import { Type } from '@sinclair/typebox';
import { PROBLEM_TYPES, type Problem, type ProblemType } from '../../shared/problems';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** RFC 9457 body, for route response schemas (extensions pass through). */
export const ProblemSchema = Type.Object(
  {
    type: Type.String({ format: 'uri' }),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.Optional(Type.String()),
    instance: Type.Optional(Type.String()),
  },
  { additionalProperties: true, description: 'application/problem+json (RFC 9457)' },
);

/** Throw from a route to answer with an RFC 9457 problem. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly type: ProblemType,
    readonly title: string,
    readonly detail?: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(detail ?? title);
  }

  toJSON(instance?: string): Problem {
    return { type: this.type, title: this.title, status: this.status, detail: this.detail, instance, ...this.extensions };
  }
}

export function sendProblem(reply: FastifyReply, problem: HttpProblem): FastifyReply {
  return reply.code(problem.status).type(PROBLEM_CONTENT_TYPE).send(problem.toJSON(reply.request.url));
}

/** One error handler per app: every error leaves as problem+json; 5xx bodies reveal nothing internal. */
export function registerProblemHandling(app: AnyFastify): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof HttpProblem) return sendProblem(reply, error);
    if (error.validation) {
      const errors = error.validation.map((issue) => ({
        field: issue.instancePath ? issue.instancePath.slice(1).replaceAll('/', '.') : issue.params?.missingProperty,
        message: issue.message,
      }));
      return sendProblem(
        reply,
        new HttpProblem(400, PROBLEM_TYPES.validation, 'Invalid request', `${error.validationContext ?? 'request'} ${error.message}`, { errors }),
      );
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return sendProblem(reply, new HttpProblem(status, PROBLEM_TYPES.validation, 'Invalid request', error.message));
    }
    request.log.error({ err: error }, 'unhandled error');
    return sendProblem(reply, new HttpProblem(500, PROBLEM_TYPES.internal, 'Internal error', 'The request could not be completed. It is safe to retry with the same Idempotency-Key.'));
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, new HttpProblem(404, PROBLEM_TYPES.notFound, 'Not found', `No route for ${request.method} ${request.url.split('?')[0]}`)),
  );
}
