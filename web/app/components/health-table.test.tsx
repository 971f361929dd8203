// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { HealthTable } from './health-table';

afterEach(cleanup);

describe('health table', () => {
  it('colours each service and says the same in words', () => {
    render(
      <HealthTable
        checks={[
          { id: 'gateway', label: 'Gateway API', status: 'up', latencyMs: 12 },
          { id: 'gateway.orders_db', label: 'Orders database', status: 'up', latencyMs: 900 },
          { id: 'inventory-api', label: 'Inventory API', status: 'up', latencyMs: 1534 },
          { id: 'worker', label: 'Order worker', status: 'down', latencyMs: 3000, error: 'no answer within 3 s' },
        ]}
      />,
    );
    const rows = screen.getAllByRole('row').slice(1);
    expect(rows.map((row) => [row.getAttribute('data-service'), row.getAttribute('data-level'), row.textContent])).toEqual([
      ['gateway', 'green', 'Gateway API OK12 ms'],
      ['gateway.orders_db', 'amber', 'Orders database Slow900 ms'],
      ['inventory-api', 'red', 'Inventory API Too slow (over 1 s)1.53 s'],
      ['worker', 'red', 'Order worker Down: no answer within 3 s3.00 s'],
    ]);
    expect(screen.getByRole('table', { name: 'Service health' })).toBeTruthy();
  });
});
