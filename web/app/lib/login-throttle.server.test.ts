import { describe, expect, it } from 'vitest';
import { createLoginThrottle } from './login-throttle.server';

const LIMITS = { perAddress: 3, overall: 10, windowMs: 60_000 };

function throttleAt(start = 1_000_000) {
  let now = start;
  const throttle = createLoginThrottle(LIMITS, () => now);
  return { throttle, advance: (ms: number) => (now += ms) };
}

describe('login throttle', () => {
  it('stops an address at its limit until its window ends, and counts again from zero after', () => {
    const { throttle, advance } = throttleAt();
    throttle.failed('a');
    advance(10_000);
    throttle.failed('a');
    expect(throttle.retryAfterMs('a')).toBe(0);
    throttle.failed('a');
    expect(throttle.retryAfterMs('a')).toBe(50_000);
    expect(throttle.retryAfterMs('b')).toBe(0);
    advance(50_000);
    expect(throttle.retryAfterMs('a')).toBe(0);
    throttle.failed('a');
    expect(throttle.retryAfterMs('a')).toBe(0);
  });

  it('forgets an address’s failures when it logs in', () => {
    const { throttle } = throttleAt();
    throttle.failed('a');
    throttle.failed('a');
    throttle.succeeded('a');
    throttle.failed('a');
    throttle.failed('a');
    expect(throttle.retryAfterMs('a')).toBe(0);
  });

  it('stops everyone once all addresses together reach the overall ceiling', () => {
    const { throttle, advance } = throttleAt();
    for (let i = 0; i < LIMITS.overall; i += 1) throttle.failed(`forged-${i}`);
    expect(throttle.retryAfterMs('someone-new')).toBe(60_000);
    advance(60_000);
    expect(throttle.retryAfterMs('someone-new')).toBe(0);
  });

  it('keeps memory bounded: expired addresses are dropped', () => {
    const { throttle, advance } = throttleAt();
    for (let round = 0; round < 20; round += 1) {
      for (let i = 0; i < LIMITS.overall; i += 1) throttle.failed(`round-${round}-${i}`);
      advance(LIMITS.windowMs);
    }
    expect(throttle.size).toBeLessThanOrEqual(2 * LIMITS.overall);
  });
});
