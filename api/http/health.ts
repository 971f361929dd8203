import type { AnyFastify } from './types';
import { Type } from '@sinclair/typebox';

export type DependencyCheck = () => Promise<unknown>;

const DependencyResult = Type.Object({
  status: Type.Union([Type.Literal('up'), Type.Literal('down')]),
  latency_ms: Type.Number(),
  error: Type.Optional(Type.String()),
});
const DeepHealth = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
  checks: Type.Record(Type.String(), DependencyResult),
});

async function timed(check: DependencyCheck, timeoutMs: number) {
  const started = performance.now();
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs).unref()),
    ]);
    return { status: 'up' as const, latency_ms: Math.round((performance.now() - started) * 10) / 10 };
  } catch (err) {
    return {
      status: 'down' as const,
      latency_ms: Math.round((performance.now() - started) * 10) / 10,
      error: (err as Error).message,
    };
  }
}

/** `/health`: the process answers. `/health/deep`: every dependency, with its latency; 503 names the failing ones. */
export function registerHealthRoutes(app: AnyFastify, checks: Record<string, DependencyCheck>, timeoutMs = 2000): void {
  app.get(
    '/health',
    { schema: { tags: ['health'], response: { 200: Type.Object({ status: Type.Literal('ok') }) } } },
    async () => ({ status: 'ok' as const }),
  );
  app.get(
    '/health/deep',
    { schema: { tags: ['health'], response: { 200: DeepHealth, 503: DeepHealth } } },
    async (_request, reply) => {
      const names = Object.keys(checks);
      const results = await Promise.all(names.map((name) => timed(checks[name]!, timeoutMs)));
      const report = Object.fromEntries(names.map((name, i) => [name, results[i]!]));
      const healthy = results.every((r) => r.status === 'up');
      return reply.code(healthy ? 200 : 503).send({ status: healthy ? 'ok' : 'degraded', checks: report });
    },
  );
}
