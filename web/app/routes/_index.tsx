import { useLoaderData } from '@remix-run/react';
import { config } from '../config.server';

export async function loader() {
  const started = performance.now();
  const response = await fetch(new URL('/health/deep', config.gatewayUrl)).catch(() => undefined);
  const body = response ? ((await response.json()) as { status: string; checks: Record<string, { status: string; latency_ms: number }> }) : undefined;
  return { gateway: body ?? null, latencyMs: Math.round(performance.now() - started), temporalUiUrl: config.temporalUiUrl };
}

export default function Overview() {
  const { gateway, latencyMs, temporalUiUrl } = useLoaderData<typeof loader>();
  return (
    <main>
      <h1>Valerix</h1>
      <p>Gateway: {gateway ? gateway.status : 'unreachable'} ({latencyMs} ms)</p>
      <ul>
        {Object.entries(gateway?.checks ?? {}).map(([name, check]) => (
          <li key={name}>
            {name}: {check.status} ({check.latency_ms} ms)
          </li>
        ))}
      </ul>
      <a href={temporalUiUrl}>Temporal Web UI</a>
    </main>
  );
}
