/**
 * Free text that may reach durable state: no control characters (C0, DEL, C1) and no unpaired
 * UTF-16 surrogates. Postgres cannot store NUL in `text` or `jsonb`, nor a lone surrogate in
 * `jsonb`, and a value it cannot store would make every retry of the write fail the same way.
 */
export const SAFE_TEXT_PATTERN = '^[^\\u0000-\\u001f\\u007f-\\u009f\\ud800-\\udfff]*$';

// The control characters are what this pattern exists to find.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f]|\p{Cs}/gu;

/** What the read model stores for text that got past the edge anyway: readable, never a write error. */
export function storableText(text: string): string {
  return text.replace(UNSAFE, '\uFFFD');
}
