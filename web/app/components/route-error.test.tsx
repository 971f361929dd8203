// @vitest-environment jsdom
import { data } from '@remix-run/node';
import { createRemixStub } from '@remix-run/testing';
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { RouteError } from './route-error';

afterEach(cleanup);

function renderFailing(loader: () => never) {
  const Stub = createRemixStub([{ path: '/orders', Component: () => <p>fine</p>, ErrorBoundary: RouteError, loader }]);
  render(<Stub initialEntries={['/orders?status=PENDING']} />);
}

describe('route error boundary', () => {
  it('explains a gateway outage in plain words, with its cause and a way to retry', async () => {
    renderFailing(() => {
      throw data({ outage: 'gateway', detail: 'connection refused (is it running?)' }, { status: 503 });
    });
    expect((await screen.findByRole('heading')).textContent).toBe('The order gateway is not answering');
    expect(screen.getByRole('alert').textContent).toContain('Orders already placed are safe');
    expect(screen.getByText('Details: connection refused (is it running?)')).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Try again' }).getAttribute('href')).toBe('/orders?status=PENDING');
  });

  it('explains an inventory outage', async () => {
    renderFailing(() => {
      throw data({ outage: 'inventory', detail: 'no answer within 8 s' }, { status: 503 });
    });
    expect((await screen.findByRole('heading')).textContent).toBe('The inventory service is not answering');
  });

  it('shows a 404 problem’s words', async () => {
    renderFailing(() => {
      throw data({ type: 'about:blank', title: 'Order not found', status: 404, detail: "No order 'ord_x'." }, { status: 404 });
    });
    expect((await screen.findByRole('heading')).textContent).toBe('Not found');
    expect(screen.getByText("Order not found: No order 'ord_x'.")).toBeTruthy();
  });

  it('falls back to the error’s message for anything unexpected', async () => {
    renderFailing(() => {
      throw new Error('boom');
    });
    expect((await screen.findByRole('heading')).textContent).toBe('Something went wrong in the dashboard');
    expect(screen.getByText('boom')).toBeTruthy();
  });
});
