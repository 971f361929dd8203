import { formatTime } from '../lib/orders';
import type { OrderView } from '../lib/types';
import { StatusBadge } from './status-badge';

export function OrderLines({ lines }: { lines: OrderView['lines'] }) {
  return (
    <section aria-labelledby="lines-title">
      <h2 id="lines-title">Lines</h2>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Item</th>
              <th scope="col" className="num">
                Quantity
              </th>
              <th scope="col">Status</th>
              <th scope="col" className="num">
                Attempts
              </th>
              <th scope="col">Last error</th>
              <th scope="col">Reservation id</th>
            </tr>
          </thead>
          <tbody>
            {lines.map((line) => (
              <tr key={line.line_no} data-line-no={line.line_no} data-status={line.status}>
                <td>{line.line_no}</td>
                <td>{line.item_id}</td>
                <td className="num">{line.quantity}</td>
                <td>
                  <StatusBadge status={line.status} />
                </td>
                <td className="num">{line.attempts}</td>
                <td className="error-text">{line.last_error ?? ''}</td>
                <td className="mono small">{line.reservation_id}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** The saga as it happened: recorded, each line reserved/rejected/released, compensating, the outcome. */
export function OrderTimeline({ timeline }: { timeline: OrderView['timeline'] }) {
  return (
    <section aria-labelledby="timeline-title">
      <h2 id="timeline-title">Saga timeline</h2>
      {timeline.length === 0 ? (
        <p>Nothing recorded yet.</p>
      ) : (
        <ol className="timeline">
          {timeline.map((entry, i) => (
            <li key={i} data-step={entry.step}>
              <time dateTime={entry.at}>{formatTime(entry.at)}</time> <strong>{entry.step}</strong>
              {entry.line_no !== undefined && <> (line {entry.line_no})</>} <StatusBadge status={entry.status} />
              {entry.detail && <span className="detail"> {entry.detail}</span>}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
