import { Type, type Static } from '@sinclair/typebox';

/** Deep health, the same in every process (/health/deep): each dependency checked at once, with its latency. */
export type DependencyCheck = () => Promise<unknown>;

export const DependencyResultSchema = Type.Object({
  status: Type.Union([Type.Literal('up'), Type.Literal('down')]),
  latency_ms: Type.Number(),
  error: Type.Optional(Type.String()),
});
type DependencyResult = Static<typeof DependencyResultSchema>;

export const DeepHealthSchema = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
  checks: Type.Record(Type.String(), DependencyResultSchema),
});
export type DeepHealth = Static<typeof DeepHealthSchema>;

async function timed(check: DependencyCheck, timeoutMs: number): Promise<DependencyResult> {
  const started = performance.now();
  const latency = () => Math.round((performance.now() - started) * 10) / 10;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs))),
    ]);
    return { status: 'up', latency_ms: latency() };
  } catch (err) {
    return { status: 'down', latency_ms: latency(), error: (err as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

export async function checkDependencies(checks: Record<string, DependencyCheck>, timeoutMs = 2000): Promise<DeepHealth> {
  const names = Object.keys(checks);
  const results = await Promise.all(names.map((name) => timed(checks[name]!, timeoutMs)));
  return {
    status: results.every((result) => result.status === 'up') ? 'ok' : 'degraded',
    checks: Object.fromEntries(names.map((name, i) => [name, results[i]!])),
  };
}
