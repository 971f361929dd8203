import { describe, expect, it } from 'vitest';
import { describeChaos, readChaosForm } from './chaos-form';
import { formatLatency, healthLevel } from './health';
import { createEventDeduper, parseOrderEvent } from './live';
import { formatCount, orderRate } from './stats';

describe('health colours', () => {
  it('are green below 0.8 s, amber to 1 s, red above 1 s or when down', () => {
    expect(healthLevel({ status: 'up', latencyMs: 799 })).toBe('green');
    expect(healthLevel({ status: 'up', latencyMs: 800 })).toBe('amber');
    expect(healthLevel({ status: 'up', latencyMs: 1000 })).toBe('amber');
    expect(healthLevel({ status: 'up', latencyMs: 1001 })).toBe('red');
    expect(healthLevel({ status: 'down', latencyMs: 2 })).toBe('red');
  });

  it('show latency in ms below a second, in seconds above', () => {
    expect(formatLatency(12.4)).toBe('12 ms');
    expect(formatLatency(1534)).toBe('1.53 s');
  });
});

describe('order rate', () => {
  const now = new Date('2026-11-25T12:00:00.000Z');
  const ago = (seconds: number) => new Date(now.getTime() - seconds * 1000).toISOString();

  it('counts orders per minute over the last five minutes', () => {
    expect(orderRate([ago(10), ago(50), ago(200), ago(400), undefined], false, now)).toEqual({
      lastMinute: 2,
      perMinute: 0.6,
      lowerBound: false,
    });
  });

  it('is a lower bound when the sample ran out inside the window', () => {
    expect(orderRate([ago(10), ago(20)], true, now).lowerBound).toBe(true);
    expect(orderRate([ago(10), ago(400)], true, now).lowerBound).toBe(false);
    expect(formatCount({ count: 200, capped: true })).toBe('200+');
  });
});

describe('chaos form', () => {
  const formOf = (fields: Record<string, string>) => {
    const data = new FormData();
    for (const [name, value] of Object.entries(fields)) data.append(name, value);
    return data;
  };

  it('turns the percentages of the sliders into rates, and a missing checkbox into enabled: false', () => {
    expect(
      readChaosForm(formOf({ latency_ms: '1500', latency_rate: '100', crash_rate: '25', lost_response_rate: '0', kill_rate: '5' })),
    ).toEqual({
      ok: true,
      update: { enabled: false, latency_ms: 1500, latency_rate: 1, crash_rate: 0.25, lost_response_rate: 0, kill_rate: 0.05 },
    });
    expect(readChaosForm(formOf({ enabled: 'on', latency_ms: '0' }))).toMatchObject({ ok: true, update: { enabled: true } });
  });

  it('refuses values out of range', () => {
    expect(readChaosForm(formOf({ latency_ms: '-1' }))).toMatchObject({ ok: false });
    // The same ceiling as the inventory API (shared/contract/chaos-limits.ts): 60 s.
    expect(readChaosForm(formOf({ latency_ms: '60000' }))).toMatchObject({ ok: true, update: { latency_ms: 60_000 } });
    expect(readChaosForm(formOf({ latency_ms: '60001' }))).toMatchObject({ ok: false });
    expect(readChaosForm(formOf({ latency_ms: '0', crash_rate: '101' }))).toMatchObject({
      ok: false,
      error: expect.stringContaining('Failure before commit'),
    });
  });

  it('describes the state in one line', () => {
    const off = { enabled: false, latency_ms: 5000, latency_rate: 1, crash_rate: 0, lost_response_rate: 0, kill_rate: 0, updated_at: '' };
    expect(describeChaos(off)).toBe('Off');
    expect(describeChaos({ ...off, enabled: true, crash_rate: 0.3 })).toBe(
      'On: 5000 ms latency on 100 % of calls, 30 % failures before commit',
    );
    expect(describeChaos({ ...off, enabled: true, latency_rate: 0 })).toBe('On, with no fault configured');
  });
});

describe('order events', () => {
  it('are handled once per event id, remembering a bounded number of ids', () => {
    const isNew = createEventDeduper(2);
    expect([isNew('a'), isNew('a'), isNew('b'), isNew('c'), isNew('a'), isNew('c')]).toEqual([true, false, true, true, true, false]);
  });

  it('are parsed from SSE data, ignoring anything malformed', () => {
    const data = { eventId: 'o:1', orderId: 'o', status: 'PENDING', version: 1, at: '2026-11-25T12:00:00.000Z' };
    expect(parseOrderEvent(JSON.stringify(data))).toEqual(data);
    expect(parseOrderEvent('{"orderId":"o"}')).toBeNull();
    expect(parseOrderEvent('not json')).toBeNull();
  });
});
