import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInventoryClient } from '../../activities/inventory-client';
import { REFUSALS } from '../../shared/contract/refusals';
import { PROBLEM_TYPES } from '../../shared/contract/problems';

/** A fake inventory service: each path answers one way. */
const seen: { path: string; body: unknown; authorization?: string }[] = [];
const server = http.createServer((request, response) => {
  let text = '';
  request.on('data', (chunk) => (text += chunk));
  request.on('end', () => {
    seen.push({ path: request.url!, body: JSON.parse(text), authorization: request.headers.authorization });
    const problem = (status: number, type: string, detail: string) => {
      response.writeHead(status, { 'content-type': 'application/problem+json' });
      response.end(JSON.stringify({ type, title: 'refused', status, detail }));
    };
    const item = (JSON.parse(text) as { item_id: string }).item_id;
    if (item === 'ok') return response.end(JSON.stringify({ replayed: false }));
    if (item === 'again') return response.end(JSON.stringify({ replayed: true }));
    if (item === 'gone') return problem(409, PROBLEM_TYPES.outOfStock, 'none left');
    if (item === 'broken') return problem(500, PROBLEM_TYPES.internal, 'safe to retry');
    if (item === 'dropped') return request.socket.destroy();
    // 'slow': never answers.
  });
});
let baseUrl = '';

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const reserve = (itemId: string, signal?: AbortSignal) =>
  createInventoryClient({ baseUrl, requestTimeoutMs: 300, serviceToken: 'unit-service-token' }).reserve(
    { reservationId: `r-${itemId}`, itemId, quantity: 2 },
    signal,
  );

describe('inventory client', () => {
  it('posts the reservation and reports whether it was applied before', async () => {
    await expect(reserve('ok')).resolves.toEqual({ replayed: false });
    await expect(reserve('again')).resolves.toEqual({ replayed: true });
    expect(seen.find((s) => s.path === '/api/inventory/deduct')).toEqual({
      path: '/api/inventory/deduct',
      body: { reservation_id: 'r-ok', item_id: 'ok', quantity: 2 },
      authorization: 'Bearer unit-service-token',
    });
  });

  it('turns a business refusal into a non-retryable failure of a stable type', async () => {
    const failure = await reserve('gone').catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: REFUSALS.outOfStock.failureType, nonRetryable: true, message: 'none left' });
  });

  it('leaves 5xx, dropped connections, slow answers and cancels to the retry policy', async () => {
    for (const itemId of ['broken', 'dropped', 'slow']) {
      const failure = await reserve(itemId).catch((err: unknown) => err);
      expect(failure, itemId).toBeInstanceOf(Error);
      expect(failure, itemId).not.toBeInstanceOf(ApplicationFailure);
    }
    await expect(reserve('slow')).rejects.toThrow('did not answer within 300 ms');
    const cancel = new AbortController();
    const cancelled = reserve('slow', cancel.signal);
    cancel.abort();
    await expect(cancelled).rejects.toThrow(/abort/i);
  });

  it('releases through the same client', async () => {
    await createInventoryClient({ baseUrl, requestTimeoutMs: 300, serviceToken: 'unit-service-token' }).release({
      reservationId: 'r-ok',
      itemId: 'ok',
    });
    expect(seen.at(-1)).toEqual({
      path: '/api/inventory/release',
      body: { reservation_id: 'r-ok', item_id: 'ok' },
      authorization: 'Bearer unit-service-token',
    });
  });
});
