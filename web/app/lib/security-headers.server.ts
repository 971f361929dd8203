import { randomBytes } from 'node:crypto';

/** A fresh CSP nonce per document, for the inline scripts Remix renders. */
export const createNonce = () => randomBytes(16).toString('base64');

/**
 * Set on every response the dashboard renders. Vite's dev server injects inline styles and
 * talks over a websocket, so development relaxes those two only.
 */
export function setSecurityHeaders(headers: Headers, nonce?: string, development = process.env.NODE_ENV === 'development') {
  const policy = [
    "default-src 'self'",
    `script-src 'self'${nonce ? ` 'nonce-${nonce}'` : ''}`,
    `style-src 'self'${development ? " 'unsafe-inline'" : ''}`,
    "img-src 'self' data:",
    `connect-src 'self'${development ? ' ws:' : ''}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ];
  headers.set('Content-Security-Policy', policy.join('; '));
  headers.set('X-Content-Type-Options', 'nosniff');
  headers.set('Referrer-Policy', 'strict-origin-when-cross-origin');
  headers.set('X-Frame-Options', 'DENY');
  return headers;
}
