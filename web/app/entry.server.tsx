import { PassThrough } from 'node:stream';
import { createReadableStreamFromReadable, type EntryContext, type HandleDataRequestFunction } from '@remix-run/node';
import { RemixServer } from '@remix-run/react';
import { isbot } from 'isbot';
import { renderToPipeableStream } from 'react-dom/server';
import { NonceContext } from './lib/nonce';
import { forbiddenResponse, isCrossSite } from './lib/same-origin.server';
import { createNonce, setSecurityHeaders } from './lib/security-headers.server';
import { refuseAnonymousData } from './lib/session.server';

export const streamTimeout = 5_000;

// Both hooks run after the loaders and the action, which have already refused a cross-site request
// (requireSameOrigin) or one without a session (requireOperator); here a data request's refusal
// becomes problem+json instead of a turbo-stream.

export const handleDataRequest: HandleDataRequestFunction = async (response, { request }) => {
  if (isCrossSite(request)) return withSecurityHeaders(forbiddenResponse());
  return withSecurityHeaders((await refuseAnonymousData(request)) ?? response);
};

function withSecurityHeaders(response: Response) {
  setSecurityHeaders(response.headers);
  return response;
}

export default function handleRequest(request: Request, status: number, headers: Headers, remixContext: EntryContext) {
  if (isCrossSite(request)) return withSecurityHeaders(forbiddenResponse());
  const nonce = createNonce();
  // Bots get the whole page at once; browsers get the shell first.
  const readyEvent = isbot(request.headers.get('user-agent')) || remixContext.isSpaMode ? 'onAllReady' : 'onShellReady';
  return new Promise<Response>((resolve, reject) => {
    let shellRendered = false;
    const { pipe, abort } = renderToPipeableStream(
      <NonceContext.Provider value={nonce}>
        <RemixServer context={remixContext} url={request.url} nonce={nonce} />
      </NonceContext.Provider>,
      {
        nonce,
        [readyEvent]() {
          shellRendered = true;
          const body = new PassThrough();
          headers.set('Content-Type', 'text/html');
          setSecurityHeaders(headers, nonce);
          resolve(new Response(createReadableStreamFromReadable(body), { headers, status }));
          pipe(body);
        },
        onShellError(error: unknown) {
          reject(error);
        },
        onError(error: unknown) {
          status = 500;
          // Errors after the shell are reported by React to the client; log them once here.
          if (shellRendered) console.error(error);
        },
      },
    );
    // Leaves React time to send rejected boundaries before the stream closes.
    setTimeout(abort, streamTimeout + 1_000);
  });
}
