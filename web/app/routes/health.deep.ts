import { checkDependencies } from '../../../shared/contract/health';
import { gateway } from '../lib/gateway.server';
import { setSecurityHeaders } from '../lib/security-headers.server';

/**
 * Readiness: the dashboard can serve its pages only through a gateway (any of GATEWAY_URL's).
 * 200 with every check up, 503 otherwise; the same report shape as the services' /health/deep.
 */
export const loader = async () => {
  const report = await checkDependencies({ gateway: () => gateway.ping() });
  return Response.json(report, { status: report.status === 'ok' ? 200 : 503, headers: setSecurityHeaders(new Headers()) });
};
