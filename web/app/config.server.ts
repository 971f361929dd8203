import { z } from 'zod';
import { loadConfig } from '../../shared/env';

const schema = z.object({
  GATEWAY_URL: z.string().url().default('http://127.0.0.1:3001'),
  TEMPORAL_UI_URL: z.string().url().default('http://127.0.0.1:8233'),
});

/** The dashboard's server-side settings; nothing here reaches the browser unless a loader returns it. */
export const config = (() => {
  const parsed = loadConfig('web', schema);
  return { gatewayUrl: parsed.GATEWAY_URL, temporalUiUrl: parsed.TEMPORAL_UI_URL };
})();
