import type { Problem } from '../../../shared/contract/problems';
import { setSecurityHeaders } from './security-headers.server';

/** A refusal as problem+json, with the security headers: resource routes skip entry.server, which would add them. */
export function problemResponse(problem: Problem): Response {
  const headers = setSecurityHeaders(new Headers({ 'content-type': 'application/problem+json', 'cache-control': 'no-store' }));
  return new Response(JSON.stringify(problem), { status: problem.status, headers });
}
