import type { ChaosReport } from './harness';

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ')).join('\n');
}

/** The report a person reads after `npm run chaos`. */
export function formatReport(report: ChaosReport): string {
  const kills = report.faults.filter((fault) => fault.kind === 'kill');
  const restarts = report.faults.filter((fault) => fault.kind === 'restart');
  const count = (target: string, list = kills) => list.filter((fault) => fault.target === target).length;
  const chaos = report.options.chaos;
  const lines = [
    `Chaos run: ${report.options.orders} orders at concurrency ${report.options.concurrency}, ${(report.durationMs / 1000).toFixed(0)} s`,
    `Chaos mode: failure before commit ${pct(chaos.crash_rate)}, lost responses ${pct(chaos.lost_response_rate)}, ` +
      `${chaos.latency_ms ?? 0} ms latency on ${pct(chaos.latency_rate)}, kill rate ${pct(chaos.kill_rate)}`,
    `Faults: ${kills.length} kill -9 (worker ${count('worker')}, inventory ${count('inventory')}, gateway ${count('gateway')}), ` +
      `${restarts.length} restarts (redis ${count('redis', restarts)}, postgres ${count('postgres', restarts)}, temporal ${count('temporal', restarts)})`,
    `Supervisor restarts (scheduled kills + chaos kills + crashes): ${Object.entries(report.supervisorRestarts)
      .map(([name, n]) => `${name} ${n}`)
      .join(', ')}`,
    `Answers: ${report.acknowledged} acknowledged, ${report.notAcknowledged} gave up; ${report.duplicatesChecked} duplicate keys re-sent ` +
      `(${report.duplicateMismatches} mismatched); ${report.cancelsAsked} cancels asked; ${report.unexpected4xx.length} unexpected 4xx`,
    `Outcomes: ${Object.entries(report.outcomes)
      .map(([status, n]) => `${status} ${n}`)
      .join(', ')}`,
    '',
    table([['invariant', 'result', 'detail'], ...report.invariants.map((row) => [row.name, row.ok ? 'PASS' : 'FAIL', row.detail])]),
    '',
    report.passed ? 'All invariants hold.' : 'INVARIANTS FAILED.',
  ];
  if (report.unexpected4xx.length > 0) lines.push(`Unexpected answers: ${report.unexpected4xx.slice(0, 5).join('; ')}`);
  return lines.join('\n');
}

function pct(rate: number | undefined): string {
  return `${Math.round((rate ?? 0) * 100)}%`;
}
