import type { Socket } from 'node:net';
import type { Server } from 'node:http';
import type { FastifyHttpOptions } from 'fastify';
import { loggerOptions } from '../../shared/logger';
import { PROBLEM_CONTENT_TYPE, clientProblem } from './problem';

/** Bounds of every HTTP server here: a slow or huge request cannot hold a connection or memory. */
export const HTTP_LIMITS = {
  /** Largest accepted body: a 20-line order is well under 4 KiB. */
  bodyLimitBytes: 64 * 1024,
  /** Whole request (headers and body) must arrive within this; answered 408 otherwise. Not the response: SSE streams stay open. */
  requestTimeoutMs: 15_000,
  /** An idle keep-alive connection is closed after this; longer than clients' own idle timeouts, so they close first. */
  keepAliveTimeoutMs: 72_000,
  /** Longest path parameter; longer ones answer 404 before any handler runs. */
  maxParamLength: 200,
} as const;

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  413: 'Payload Too Large',
  431: 'Request Header Fields Too Large',
};

/**
 * Node answers malformed, oversized or too slow requests before Fastify sees them; these
 * answers are problem+json too.
 */
function answerClientError(err: NodeJS.ErrnoException, socket: Socket): void {
  if (!socket.writable) return void socket.destroy();
  // Node has no 414: a URL longer than the header limit is a header overflow (431).
  const status = err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : err.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
  const body = JSON.stringify(
    clientProblem(
      status,
      err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 'The request did not arrive in time.' : 'The request could not be parsed.',
    ).toJSON(),
  );
  socket.end(
    `HTTP/1.1 ${status} ${REASONS[status] ?? 'Bad Request'}\r\ncontent-type: ${PROBLEM_CONTENT_TYPE}\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

export function httpServerOptions(
  service: string,
  logLevel: string,
  overrides: Partial<Record<keyof typeof HTTP_LIMITS, number>> = {},
): FastifyHttpOptions<Server> {
  const limits = { ...HTTP_LIMITS, ...overrides };
  return {
    logger: loggerOptions(service, logLevel),
    bodyLimit: limits.bodyLimitBytes,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    routerOptions: { maxParamLength: limits.maxParamLength },
    clientErrorHandler: answerClientError,
    // Node checks request deadlines only this often (30 s by default), which would triple ours.
    http: { connectionsCheckingInterval: Math.min(1_000, limits.requestTimeoutMs), headersTimeout: limits.requestTimeoutMs },
  };
}
