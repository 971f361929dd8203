import type { FastifyError, FastifyReply } from 'fastify';
import type { AnyFastify } from './types';
import { PROBLEM_TYPES, ProblemSchema, type Problem, type ProblemType } from '../../shared/contract/problems';
import type { Refusal } from '../../shared/contract/refusals';
import { isDataException } from '../../shared/postgres-errors';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Statuses any route can answer with: malformed, too large, wrong media type, too slow, rate-limited, internal, unavailable. */
const ANY_ROUTE = [400, 408, 413, 415, 429, 500, 503] as const;

/**
 * Route response schemas for problem statuses, declared as application/problem+json so the
 * OpenAPI documents say what is sent (and the body is serialised by this schema).
 */
export function problemResponses(...statuses: number[]) {
  const content = { [PROBLEM_CONTENT_TYPE]: { schema: ProblemSchema } };
  return Object.fromEntries(
    [...new Set([...ANY_ROUTE, ...statuses])].sort((a, b) => a - b).map((status) => [status, { description: 'RFC 9457 problem', content }]),
  );
}

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

  /** A business refusal from the shared table (contract/refusals.ts). */
  static refusal(refusal: Refusal, detail: string, extensions: Record<string, unknown> = {}): HttpProblem {
    return new HttpProblem(refusal.status, refusal.problemType, refusal.title, detail, extensions);
  }

  toJSON(instance?: string): Problem {
    return { type: this.type, title: this.title, status: this.status, detail: this.detail, instance, ...this.extensions };
  }
}

function sendProblem(reply: FastifyReply, problem: HttpProblem): FastifyReply {
  return reply.code(problem.status).type(PROBLEM_CONTENT_TYPE).send(problem.toJSON(reply.request.url));
}

/** Fastify's and Node's own refusals, each with a stable type. */
export function clientProblem(status: number, detail: string): HttpProblem {
  switch (status) {
    case 408:
      return new HttpProblem(408, PROBLEM_TYPES.requestTimeout, 'Request timeout', detail);
    case 413:
      return new HttpProblem(413, PROBLEM_TYPES.payloadTooLarge, 'Payload too large', detail);
    case 415:
      return new HttpProblem(415, PROBLEM_TYPES.unsupportedMediaType, 'Unsupported media type', 'Send the body as application/json.');
    case 429:
      return new HttpProblem(429, PROBLEM_TYPES.rateLimited, 'Too many requests', detail);
    default:
      return new HttpProblem(status, PROBLEM_TYPES.validation, 'Invalid request', detail);
  }
}

/**
 * One error handler per app: every error leaves as problem+json; 5xx bodies reveal nothing
 * internal. `serviceProblem` maps the service's own typed errors, in one place.
 */
export function registerProblemHandling(
  app: AnyFastify,
  serviceProblem: (err: unknown) => HttpProblem | undefined = () => undefined,
): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof HttpProblem) return sendProblem(reply, error);
    const mapped = serviceProblem(error);
    if (mapped) return sendProblem(reply, mapped);
    if (error.validation) {
      const errors = error.validation.map((issue) => ({
        field: issue.instancePath ? issue.instancePath.slice(1).replaceAll('/', '.') : issue.params?.missingProperty,
        message: issue.message,
      }));
      return sendProblem(
        reply,
        new HttpProblem(400, PROBLEM_TYPES.validation, 'Invalid request', `${error.validationContext ?? 'request'} ${error.message}`, {
          errors,
        }),
      );
    }
    // A value Postgres cannot hold (out of range, malformed) came from the request.
    if (isDataException(error)) {
      return sendProblem(
        reply,
        new HttpProblem(400, PROBLEM_TYPES.validation, 'Invalid request', 'A value in the request is out of range or malformed.'),
      );
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) return sendProblem(reply, clientProblem(status, error.message));
    request.log.error({ err: error }, 'unhandled error');
    return sendProblem(
      reply,
      new HttpProblem(
        500,
        PROBLEM_TYPES.internal,
        'Internal error',
        'The request could not be completed. It is safe to retry with the same Idempotency-Key.',
      ),
    );
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(
      reply,
      new HttpProblem(404, PROBLEM_TYPES.notFound, 'Not found', `No route for ${request.method} ${request.url.split('?')[0]}`),
    ),
  );
}
