import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { orderIdFor } from '../../api/gateway/orders/idempotency';
import { createOrderRecords, viewFromRow } from '../../shared/order-records';
import type { OrderState } from '../../shared/contract/orders';
import { createOrdersDb } from '../../shared/orders-db';

const databaseUrl = inject('infra').ordersDatabaseUrl;
const db = createOrdersDb(databaseUrl);
const records = createOrderRecords(db);
afterAll(() => db.$disconnect());

function newClaim(requestHash = 'hash-a', clientId = 'cli_claims') {
  const key = `claim-${randomUUID()}`;
  return { clientId, key, orderId: orderIdFor(clientId, key), requestHash };
}

function confirmedState(orderId: string): OrderState {
  const at = '2026-11-25T08:00:01.250Z';
  return {
    orderId,
    status: 'CONFIRMED',
    version: 2,
    cancelRequested: false,
    createdAt: '2026-11-25T08:00:00.125Z',
    updatedAt: at,
    timeline: [{ at, status: 'CONFIRMED', step: 'confirmed' }],
    lines: [2, 1].map((lineNo) => ({
      lineNo,
      itemId: `item-${lineNo}`,
      quantity: lineNo,
      reservationId: `${orderId}:${lineNo}`,
      status: 'RESERVED' as const,
      attempts: lineNo,
      lastError: lineNo === 2 ? 'timed out once' : undefined,
    })),
  };
}

describe('Idempotency-Key claims (gateway)', () => {
  it('claims a new key once; a replay gets the fingerprint of the first request', async () => {
    const claim = newClaim();
    expect(await records.claimKey(claim)).toEqual({ claimed: true });
    expect(await records.claimKey({ ...claim, requestHash: 'hash-b' })).toEqual({ claimed: false, requestHash: 'hash-a', row: null });
  });

  it('returns on a replay the same order row, lines and all, that Prisma reads', async () => {
    const claim = newClaim();
    await records.claimKey(claim);
    await records.saveTransition(confirmedState(claim.orderId));

    const replay = await records.claimKey(claim);
    const prismaRow = await db.order.findUniqueOrThrow({ where: { id: claim.orderId }, include: { lines: true } });
    expect(replay.claimed).toBe(false);
    expect(replay.claimed === false && replay.row).toEqual({
      ...prismaRow,
      lines: [...prismaRow.lines].sort((a, b) => a.lineNo - b.lineNo),
    });
    expect(replay.claimed === false && viewFromRow(replay.row!)).toEqual(viewFromRow(prismaRow));
  });

  it('keeps one key of two clients apart: each claims its own', async () => {
    const mine = newClaim('hash-a', 'cli_one');
    const theirs = { ...newClaim('hash-b', 'cli_two'), key: mine.key };
    theirs.orderId = orderIdFor('cli_two', mine.key);
    expect(await records.claimKey(mine)).toEqual({ claimed: true });
    expect(await records.claimKey(theirs)).toEqual({ claimed: true });
    expect(await records.claimKey(theirs)).toEqual({ claimed: false, requestHash: 'hash-b', row: null });
  });

  it('gives exactly one claim, and no error, to many requests racing with one key', async () => {
    for (let round = 0; round < 30; round += 1) {
      const claim = newClaim();
      const results = await Promise.allSettled(Array.from({ length: 20 }, () => records.claimKey(claim)));
      expect(results.filter((result) => result.status === 'rejected')).toEqual([]);
      const claims = results.map((result) => (result as PromiseFulfilledResult<Awaited<ReturnType<typeof records.claimKey>>>).value);
      expect(claims.filter((result) => result.claimed)).toHaveLength(1);
    }
  });

  it('sees a claim that a concurrent request committed while this one waited for it', async () => {
    const claim = newClaim();
    const other = new pg.Client({ connectionString: databaseUrl });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query('INSERT INTO idempotency_keys (client_id, key, order_id, request_hash) VALUES ($1, $2, $3, $4)', [
        claim.clientId,
        claim.key,
        claim.orderId,
        'hash-first',
      ]);
      const waiting = records.claimKey({ ...claim, requestHash: 'hash-second' });
      await new Promise((resolve) => setTimeout(resolve, 200)); // the claim is now blocked on the uncommitted row
      await other.query('COMMIT');
      expect(await waiting).toEqual({ claimed: false, requestHash: 'hash-first', row: null });
    } finally {
      await other.end();
    }
  });
});
