/**
 * The demo page's load generator form. Read by the action only: the contract module builds TypeBox
 * schemas when loaded, so the page gets its limits from the loader and the browser bundle stays
 * free of TypeBox (Remix drops this import from the client build along with the action).
 */

import { LOAD_MAX_DURATION_S, LOAD_MAX_RATE, type LoadRequest } from '../../../shared/contract/operator';

export { LOAD_MAX_DURATION_S, LOAD_MAX_RATE };

export type ParsedLoad = { ok: true; load: LoadRequest } | { ok: false; error: string };

/** What the form shows first: a pace one laptop follows easily, for a minute, 30 % multi-line as the seed's k6 script. */
export const LOAD_DEFAULTS = { rate: 5, duration_s: 60, multi_share_percent: 30 } as const;

const wholeNumber = (value: FormDataEntryValue | null, min: number, max: number): number | undefined => {
  const text = typeof value === 'string' ? value.trim() : '';
  const number = Number(text);
  return text !== '' && Number.isInteger(number) && number >= min && number <= max ? number : undefined;
};

/**
 * rate (orders/s) and duration_s as whole numbers within the contract's caps; the share of
 * multi-line orders as a percentage 0..100 (like the chaos form's rates), sent as 0..1.
 */
export function readLoadForm(form: FormData): ParsedLoad {
  const rate = wholeNumber(form.get('rate'), 1, LOAD_MAX_RATE);
  if (rate === undefined) return { ok: false, error: `The rate must be a whole number of orders per second from 1 to ${LOAD_MAX_RATE}.` };
  const duration = wholeNumber(form.get('duration_s'), 1, LOAD_MAX_DURATION_S);
  if (duration === undefined)
    return { ok: false, error: `The duration must be a whole number of seconds from 1 to ${LOAD_MAX_DURATION_S}.` };
  const shareText = form.get('multi_share_percent');
  const percent = typeof shareText === 'string' && shareText.trim() !== '' ? Number(shareText) : NaN;
  if (!Number.isFinite(percent) || percent < 0 || percent > 100)
    return { ok: false, error: 'The share of multi-line orders must be from 0 to 100 %.' };
  // To 0.01 %, so 30 is sent as 0.3 and not 0.30000000000000004.
  return { ok: true, load: { rate, duration_s: duration, multi_share: Math.round(percent * 100) / 10_000 } };
}
