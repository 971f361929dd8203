import { isRouteErrorResponse, useLocation, useRouteError } from '@remix-run/react';
import { isOutage, isProblem, problemText, type Service } from '../lib/errors';

const OUTAGES: Record<Service, { title: string; explanation: string }> = {
  gateway: {
    title: 'The order gateway is not answering',
    explanation:
      'Orders cannot be listed, placed or cancelled from here until it is back. Orders already placed are safe: ' +
      'each one is a Temporal workflow that carries on without the gateway.',
  },
  inventory: {
    title: 'The inventory service is not answering',
    explanation:
      'Stock cannot be shown or changed until it is back. Orders waiting for stock keep retrying until their deadline, ' +
      'then fail and release what they had reserved.',
  },
  worker: {
    title: 'The order worker is not answering',
    explanation: 'Orders are accepted but wait in Temporal until a worker picks them up again.',
  },
};

/** Every route's ErrorBoundary: says in plain words what is down and what that means for orders. */
export function RouteError() {
  const error = useRouteError();
  const location = useLocation();
  const retry = (
    <p>
      <a href={location.pathname + location.search}>Try again</a>
    </p>
  );

  if (isRouteErrorResponse(error)) {
    if (isOutage(error.data)) {
      const outage = OUTAGES[error.data.outage];
      return (
        <main>
          <section className="error-panel" role="alert">
            <h1>{outage.title}</h1>
            <p>{outage.explanation}</p>
            <p className="detail">Details: {error.data.detail}</p>
            {retry}
          </section>
        </main>
      );
    }
    if (error.status === 404) {
      return (
        <main>
          <section className="error-panel" role="alert">
            <h1>Not found</h1>
            <p>{isProblem(error.data) ? problemText(error.data) : 'There is nothing at this address.'}</p>
          </section>
        </main>
      );
    }
    return (
      <main>
        <section className="error-panel" role="alert">
          <h1>The request failed ({error.status})</h1>
          <p>{isProblem(error.data) ? problemText(error.data) : error.statusText}</p>
          {retry}
        </section>
      </main>
    );
  }
  return (
    <main>
      <section className="error-panel" role="alert">
        <h1>Something went wrong in the dashboard</h1>
        <p>{error instanceof Error ? error.message : 'Unexpected error.'}</p>
        {retry}
      </section>
    </main>
  );
}
