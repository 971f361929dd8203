import type { AnyFastify } from './types';
import { Type } from '@sinclair/typebox';
import { checkDependencies, type DependencyCheck } from '../../shared/contract/health';

export type { DependencyCheck };

const DependencyResult = Type.Object({
  status: Type.Union([Type.Literal('up'), Type.Literal('down')]),
  latency_ms: Type.Number(),
  error: Type.Optional(Type.String()),
});
const DeepHealth = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
  checks: Type.Record(Type.String(), DependencyResult),
});

/** `/health`: the process answers. `/health/deep`: every dependency, with its latency; 503 names the failing ones. */
export function registerHealthRoutes(app: AnyFastify, checks: Record<string, DependencyCheck>, timeoutMs = 2000): void {
  app.get('/health', { schema: { tags: ['health'], response: { 200: Type.Object({ status: Type.Literal('ok') }) } } }, async () => ({
    status: 'ok' as const,
  }));
  app.get('/health/deep', { schema: { tags: ['health'], response: { 200: DeepHealth, 503: DeepHealth } } }, async (_request, reply) => {
    const report = await checkDependencies(checks, timeoutMs);
    return reply.code(report.status === 'ok' ? 200 : 503).send(report);
  });
}
