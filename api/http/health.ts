import type { AnyFastify } from './types';
import { Type } from '@sinclair/typebox';
import { DeepHealthSchema as DeepHealth, checkDependencies, type DependencyCheck } from '../../shared/contract/health';

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
