import { describe, expect, inject, it } from 'vitest';
import { runChaos } from '../../chaos/harness';
import { formatReport } from '../../chaos/report';

/**
 * The short version of `npm run chaos`: a few hundred orders, a few faults of each kind, every
 * invariant checked from the databases, Temporal and Redis.
 */
const { temporalMode, root } = inject('infra');
// On the real server (the deployment suite) with two workers: kills rotate through both, and a
// Temporal restart restarts its four processes.
const workers = temporalMode === 'server' ? 2 : 1;

describe(`chaos on the Temporal ${temporalMode === 'dev' ? 'dev server' : 'server'} with ${workers} worker(s): nothing lost or duplicated under faults`, () => {
  it('keeps every invariant through failures, lost responses, latency, kill -9 and restarts', async () => {
    const report = await runChaos(
      {
        orders: 200,
        concurrency: 16,
        chaos: { crash_rate: 0.5, lost_response_rate: 0.2, latency_ms: 300, latency_rate: 0.2, kill_rate: 0 },
        kills: 6,
        restarts: 3,
        faultIntervalMs: 1000,
        settleLimitMs: 120_000,
        giveUpAfterMs: 90_000,
        keepData: false,
        temporalMode,
        workers,
      },
      () => undefined,
      root,
    );
    const summary = formatReport(report);
    expect(
      report.faults.filter((fault) => fault.kind === 'kill'),
      summary,
    ).toHaveLength(6);
    expect(
      report.faults.filter((fault) => fault.kind === 'restart'),
      summary,
    ).toHaveLength(3);
    if (workers > 1) {
      const killed = new Set(report.faults.filter((fault) => fault.kind === 'kill').map((fault) => fault.target));
      expect([...killed].sort(), summary).toEqual(['gateway', 'inventory', 'worker-1', 'worker-2']);
    }
    expect(report.acknowledged, summary).toBe(200);
    expect(
      report.invariants.filter((row) => !row.ok),
      summary,
    ).toEqual([]);
    expect(report.unexpected4xx, summary).toEqual([]);
    expect(report.passed).toBe(true);
  }, 600_000);
});
