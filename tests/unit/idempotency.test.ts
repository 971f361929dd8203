import { describe, expect, it } from 'vitest';
import { checkIdempotencyKey, orderIdFor, requestHashFor } from '../../api/gateway/orders/idempotency';
import { preferredWaitMs } from '../../api/gateway/orders/routes';

describe('Idempotency-Key header', () => {
  it('accepts 1-255 visible ASCII characters, UUIDs included', () => {
    expect(checkIdempotencyKey('8e03978e-40d5-43e8-bc93-6894a57f9324')).toEqual({ ok: true, key: '8e03978e-40d5-43e8-bc93-6894a57f9324' });
    expect(checkIdempotencyKey('k'.repeat(255))).toMatchObject({ ok: true });
    expect(checkIdempotencyKey('!')).toMatchObject({ ok: true });
  });

  it("accepts the IETF draft's quoted sf-string form and strips the quotes", () => {
    expect(checkIdempotencyKey('"abc-123"')).toEqual({ ok: true, key: 'abc-123' });
  });

  it('tells a missing key from an invalid one', () => {
    expect(checkIdempotencyKey(undefined)).toEqual({ ok: false, reason: 'missing' });
    expect(checkIdempotencyKey('')).toEqual({ ok: false, reason: 'missing' });
    expect(checkIdempotencyKey('with space')).toEqual({ ok: false, reason: 'invalid' });
    expect(checkIdempotencyKey('k'.repeat(256))).toEqual({ ok: false, reason: 'invalid' });
    expect(checkIdempotencyKey('tab\there')).toEqual({ ok: false, reason: 'invalid' });
    expect(checkIdempotencyKey(['a', 'b'])).toEqual({ ok: false, reason: 'invalid' });
  });
});

describe('order identity', () => {
  it('derives the same order id from the same client and key, and different ids from different keys', () => {
    expect(orderIdFor('cli_a', 'key-1')).toBe(orderIdFor('cli_a', 'key-1'));
    expect(orderIdFor('cli_a', 'key-1')).not.toBe(orderIdFor('cli_a', 'key-2'));
    expect(orderIdFor('cli_a', 'key-1')).toMatch(/^ord_[0-9a-f]{32}$/);
  });

  it('scopes keys per client: one key from two clients names two orders', () => {
    expect(orderIdFor('cli_a', 'key-1')).not.toBe(orderIdFor('cli_b', 'key-1'));
    // The separator keeps (client, key) pairs apart that would concatenate alike.
    expect(orderIdFor('cli_a', 'bkey')).not.toBe(orderIdFor('cli_ab', 'key'));
  });

  it('fingerprints what was ordered: line order and quantities matter', () => {
    const a = requestHashFor([
      { itemId: 'ps5', quantity: 1 },
      { itemId: 'xbox', quantity: 2 },
    ]);
    expect(
      requestHashFor([
        { itemId: 'ps5', quantity: 1 },
        { itemId: 'xbox', quantity: 2 },
      ]),
    ).toBe(a);
    expect(
      requestHashFor([
        { itemId: 'xbox', quantity: 2 },
        { itemId: 'ps5', quantity: 1 },
      ]),
    ).not.toBe(a);
    expect(
      requestHashFor([
        { itemId: 'ps5', quantity: 1 },
        { itemId: 'xbox', quantity: 3 },
      ]),
    ).not.toBe(a);
  });
});

describe('Prefer: wait', () => {
  it('reads wait=N in seconds, capped at 30', () => {
    expect(preferredWaitMs(undefined)).toBe(0);
    expect(preferredWaitMs('wait=5')).toBe(5000);
    expect(preferredWaitMs('respond-async, wait=10')).toBe(10_000);
    expect(preferredWaitMs('wait=300')).toBe(30_000);
    expect(preferredWaitMs('return=minimal')).toBe(0);
  });
});
