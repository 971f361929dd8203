import { describe, expect, it } from 'vitest';
import { Value } from '@sinclair/typebox/value';
import { LOAD_MAX_DURATION_S, LOAD_MAX_RATE, LoadRequestSchema } from '../../../shared/contract/operator';
import { LOAD_DEFAULTS, readLoadForm } from './load-form';

const form = (fields: Record<string, string>) => {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) data.set(name, value);
  return data;
};

const valid = { rate: '5', duration_s: '60', multi_share_percent: '30' };

describe('readLoadForm', () => {
  it('reads the defaults the form shows into the contract’s LoadRequest', () => {
    const defaults = form({
      rate: String(LOAD_DEFAULTS.rate),
      duration_s: String(LOAD_DEFAULTS.duration_s),
      multi_share_percent: String(LOAD_DEFAULTS.multi_share_percent),
    });
    expect(readLoadForm(defaults)).toEqual({ ok: true, load: { rate: 5, duration_s: 60, multi_share: 0.3 } });
  });

  it('accepts the contract’s bounds exactly', () => {
    expect(readLoadForm(form({ rate: '1', duration_s: '1', multi_share_percent: '0' }))).toEqual({
      ok: true,
      load: { rate: 1, duration_s: 1, multi_share: 0 },
    });
    expect(
      readLoadForm(form({ rate: String(LOAD_MAX_RATE), duration_s: String(LOAD_MAX_DURATION_S), multi_share_percent: '100' })),
    ).toEqual({ ok: true, load: { rate: LOAD_MAX_RATE, duration_s: LOAD_MAX_DURATION_S, multi_share: 1 } });
  });

  it('sends only what the gateway’s schema accepts', () => {
    for (const fields of [valid, { rate: '1', duration_s: '1', multi_share_percent: '0' }, { ...valid, multi_share_percent: '12.5' }]) {
      const result = readLoadForm(form(fields));
      expect(result.ok && Value.Check(LoadRequestSchema, result.load), JSON.stringify(fields)).toBe(true);
    }
  });

  it.each(['0', String(LOAD_MAX_RATE + 1), '2.5', '', 'five'])('refuses a rate of %j, naming the cap', (rate) => {
    const result = readLoadForm(form({ ...valid, rate }));
    expect(result).toEqual({ ok: false, error: `The rate must be a whole number of orders per second from 1 to ${LOAD_MAX_RATE}.` });
  });

  it.each(['0', String(LOAD_MAX_DURATION_S + 1), '1.5', ' '])('refuses a duration of %j, naming the cap', (duration_s) => {
    expect(readLoadForm(form({ ...valid, duration_s }))).toEqual({
      ok: false,
      error: `The duration must be a whole number of seconds from 1 to ${LOAD_MAX_DURATION_S}.`,
    });
  });

  it.each(['-5', '100.5', '', 'NaN', 'Infinity'])('refuses a multi-line share of %j', (multi_share_percent) => {
    expect(readLoadForm(form({ ...valid, multi_share_percent }))).toEqual({
      ok: false,
      error: 'The share of multi-line orders must be from 0 to 100 %.',
    });
  });

  it('refuses a form without the fields (a request not sent by the page)', () => {
    expect(readLoadForm(new FormData()).ok).toBe(false);
  });

  it('sends the share as a fraction without float noise, and tolerates spaces', () => {
    expect(readLoadForm(form({ rate: ' 7 ', duration_s: '40', multi_share_percent: '12.5' }))).toEqual({
      ok: true,
      load: { rate: 7, duration_s: 40, multi_share: 0.125 },
    });
    const seventy = readLoadForm(form({ ...valid, multi_share_percent: '70' }));
    expect(seventy.ok && seventy.load.multi_share).toBe(0.7);
  });
});
