import { formatLatency, healthLevel, type HealthLevel, type ServiceCheck } from '../lib/health';

function verdict(check: ServiceCheck, level: HealthLevel): string {
  if (check.status === 'down') return `Down${check.error ? `: ${check.error}` : ''}`;
  if (level === 'red') return 'Too slow (over 1 s)';
  return level === 'amber' ? 'Slow' : 'OK';
}

/** Green below 0.8 s, amber up to 1 s, red above 1 s or down; the words say it too, not only the colour. */
export function HealthTable({ checks }: { checks: ServiceCheck[] }) {
  return (
    <div className="table-wrap">
      <table className="health">
        <caption>Service health</caption>
        <thead>
          <tr>
            <th scope="col">Service</th>
            <th scope="col">Status</th>
            <th scope="col">Latency</th>
          </tr>
        </thead>
        <tbody>
          {checks.map((check) => {
            const level = healthLevel(check);
            return (
              <tr key={check.id} data-service={check.id} data-level={level}>
                <th scope="row">{check.label}</th>
                <td>
                  <span className={`light light-${level}`} aria-hidden="true" /> {verdict(check, level)}
                </td>
                <td className="num">{formatLatency(check.latencyMs)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
