import { createHash } from 'node:crypto';
import type { OrderLineInput } from '../../../shared/contract/orders';

/**
 * Idempotency-Key, as in the IETF draft "The Idempotency-Key HTTP Header Field": a string the
 * client chooses (UUIDs recommended). We accept 1-255 visible ASCII characters, with or
 * without the draft's sf-string quotes.
 */
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

export type KeyCheck = { ok: true; key: string } | { ok: false; reason: 'missing' | 'invalid' };

export function checkIdempotencyKey(header: string | string[] | undefined): KeyCheck {
  if (header === undefined || header === '') return { ok: false, reason: 'missing' };
  if (Array.isArray(header)) return { ok: false, reason: 'invalid' };
  const unquoted = header.length >= 2 && header.startsWith('"') && header.endsWith('"') ? header.slice(1, -1) : header;
  return KEY_PATTERN.test(unquoted) ? { ok: true, key: unquoted } : { ok: false, reason: 'invalid' };
}

/**
 * The order id, and so the workflow id, is a pure function of the client and its key: keys are
 * scoped per client (the draft's advice), so two clients choosing the same key get two orders.
 */
export function orderIdFor(clientId: string, key: string): string {
  return `ord_${createHash('sha256').update(`${clientId}\n${key}`).digest('hex').slice(0, 32)}`;
}

/** Fingerprint of what was asked for: the seed's single-item body and a one-line `lines` body match. */
export function requestHashFor(lines: OrderLineInput[]): string {
  const canonical = JSON.stringify(lines.map((line) => [line.itemId, line.quantity]));
  return createHash('sha256').update(canonical).digest('hex');
}
