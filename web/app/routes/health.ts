import { setSecurityHeaders } from '../lib/security-headers.server';

/** Liveness of the dashboard process itself (the stack runner, the image's HEALTHCHECK and probes poll it). */
export const loader = () => Response.json({ status: 'ok' }, { headers: setSecurityHeaders(new Headers()) });
