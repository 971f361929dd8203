import pino, { type LoggerOptions } from 'pino';

/** pino JSON to stdout, credentials redacted; the same options serve Fastify and plain processes. */
export function loggerOptions(service: string, level: string): LoggerOptions {
  return {
    level,
    base: { service },
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', '*.password', '*.token', 'config.adminToken'],
      censor: '[redacted]',
    },
  };
}

export function createLogger(service: string, level: string) {
  return pino(loggerOptions(service, level));
}
