// The image's HEALTHCHECK: GETs the running service's health endpoint, exit 0 on a 2xx answer.
// Usage: node healthcheck.mjs [URL]. Without a URL the service is read from PID 1's command line
// (tini -- entrypoint.sh SERVICE) and its port from the same variables the service reads, so one
// HEALTHCHECK serves every service of the one image. One-shots (migrate, clients, backup,
// restore-drill, reconcile) have nothing to probe and pass. No shell, curl or wget needed.
import fs from 'node:fs';

const SERVICES = {
  gateway: () => `http://127.0.0.1:${process.env.GATEWAY_PORT || 3001}/health`,
  inventory: () => `http://127.0.0.1:${process.env.INVENTORY_PORT || 3002}/health`,
  worker: () => `http://127.0.0.1:${process.env.WORKER_HTTP_PORT || 3003}/health`,
  web: () => `http://127.0.0.1:${process.env.PORT || 3000}/health`,
  migrate: () => undefined,
  clients: () => undefined,
  backup: () => undefined,
  'restore-drill': () => undefined,
  reconcile: () => undefined,
};

function serviceUrl() {
  let args = [];
  try {
    args = fs.readFileSync('/proc/1/cmdline', 'utf8').split('\0');
  } catch {
    // no /proc: fall through to the error below
  }
  const service = Object.keys(SERVICES).find((name) => args.includes(name));
  if (!service) {
    console.error(`healthcheck: cannot tell the service from PID 1 (${args.join(' ').trim() || 'unreadable'}); pass the URL`);
    process.exit(1);
  }
  return SERVICES[service]();
}

const url = process.argv[2] ?? serviceUrl();
if (url === undefined) process.exit(0);
try {
  const response = await fetch(url, { signal: AbortSignal.timeout(4000) });
  if (!response.ok) {
    console.error(`healthcheck: ${url} answered ${response.status}`);
    process.exit(1);
  }
} catch (err) {
  console.error(`healthcheck: ${url}: ${err.cause?.message ?? err.message}`);
  process.exit(1);
}
