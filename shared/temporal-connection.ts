import fs from 'node:fs';
import { z } from 'zod';

/**
 * How every Valerix process reaches Temporal: the dev server (plain gRPC on loopback), the
 * stack's own server (mTLS), a secured self-hosted cluster or Temporal Cloud (TLS plus an API
 * key or a client certificate). One set of variables, validated here, spread into each process'
 * config schema.
 */
export const temporalConnectionEnv = {
  TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  /** TLS with the system's trusted CAs; implied by any TEMPORAL_TLS_* file or server name. */
  TEMPORAL_TLS: z.enum(['true', 'false']).default('false'),
  /** PEM file of the CA that signed the server's certificate (a private CA). */
  TEMPORAL_TLS_CA_FILE: z.string().min(1).optional(),
  /** Client certificate and key (PEM files) for mTLS; both or neither. */
  TEMPORAL_TLS_CERT_FILE: z.string().min(1).optional(),
  TEMPORAL_TLS_KEY_FILE: z.string().min(1).optional(),
  /** The name the server's certificate must carry, when it differs from the address' host. */
  TEMPORAL_TLS_SERVER_NAME: z.string().min(1).optional(),
  /** Temporal Cloud API key (sent as a bearer token); use it with TEMPORAL_TLS=true. */
  TEMPORAL_API_KEY: z.string().min(1).optional(),
};

type TemporalConnectionEnv = z.infer<z.ZodObject<typeof temporalConnectionEnv>>;

export interface TemporalTlsSettings {
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  serverName?: string;
}

export interface TemporalConnectionSettings {
  address: string;
  namespace: string;
  /** Undefined: plain gRPC. */
  tls?: TemporalTlsSettings;
  apiKey?: string;
}

/** A refinement for the process' schema: a certificate without its key (or the reverse) is a mistake worth stopping for. */
export function checkClientCertPair(env: Partial<TemporalConnectionEnv>, ctx: z.RefinementCtx): void {
  if (Boolean(env.TEMPORAL_TLS_CERT_FILE) !== Boolean(env.TEMPORAL_TLS_KEY_FILE)) {
    ctx.addIssue({
      code: 'custom',
      path: [env.TEMPORAL_TLS_CERT_FILE ? 'TEMPORAL_TLS_KEY_FILE' : 'TEMPORAL_TLS_CERT_FILE'],
      message: 'TEMPORAL_TLS_CERT_FILE and TEMPORAL_TLS_KEY_FILE go together (mTLS)',
    });
  }
  for (const name of ['TEMPORAL_TLS_CA_FILE', 'TEMPORAL_TLS_CERT_FILE', 'TEMPORAL_TLS_KEY_FILE'] as const) {
    const file = env[name];
    if (file && !fs.existsSync(file)) ctx.addIssue({ code: 'custom', path: [name], message: `file not found: ${file}` });
  }
}

export function temporalConnectionSettings(env: TemporalConnectionEnv): TemporalConnectionSettings {
  const tls: TemporalTlsSettings = {
    caFile: env.TEMPORAL_TLS_CA_FILE,
    certFile: env.TEMPORAL_TLS_CERT_FILE,
    keyFile: env.TEMPORAL_TLS_KEY_FILE,
    serverName: env.TEMPORAL_TLS_SERVER_NAME,
  };
  const tlsOn = env.TEMPORAL_TLS === 'true' || Object.values(tls).some((value) => value !== undefined);
  return {
    address: env.TEMPORAL_ADDRESS,
    namespace: env.TEMPORAL_NAMESPACE,
    ...(tlsOn ? { tls } : {}),
    ...(env.TEMPORAL_API_KEY ? { apiKey: env.TEMPORAL_API_KEY } : {}),
  };
}

/** Options for both Connection.connect (client) and NativeConnection.connect (worker): the files are read here, at connect time. */
export function temporalConnectOptions(settings: TemporalConnectionSettings) {
  const { tls } = settings;
  const read = (file: string) => fs.readFileSync(file);
  return {
    address: settings.address,
    ...(settings.apiKey ? { apiKey: settings.apiKey } : {}),
    ...(tls
      ? {
          tls: {
            ...(tls.serverName ? { serverNameOverride: tls.serverName } : {}),
            ...(tls.caFile ? { serverRootCACertificate: read(tls.caFile) } : {}),
            ...(tls.certFile && tls.keyFile ? { clientCertPair: { crt: read(tls.certFile), key: read(tls.keyFile) } } : {}),
          },
        }
      : {}),
  };
}

/** The variables that reproduce these settings, for a child process or a generated env file. */
export function temporalConnectionVariables(settings: TemporalConnectionSettings): Record<string, string> {
  const { tls } = settings;
  const entries: [string, string | undefined][] = [
    ['TEMPORAL_ADDRESS', settings.address],
    ['TEMPORAL_NAMESPACE', settings.namespace],
    ['TEMPORAL_TLS', tls ? 'true' : 'false'],
    ['TEMPORAL_TLS_CA_FILE', tls?.caFile],
    ['TEMPORAL_TLS_CERT_FILE', tls?.certFile],
    ['TEMPORAL_TLS_KEY_FILE', tls?.keyFile],
    ['TEMPORAL_TLS_SERVER_NAME', tls?.serverName],
    ['TEMPORAL_API_KEY', settings.apiKey],
  ];
  return Object.fromEntries(entries.filter((entry): entry is [string, string] => entry[1] !== undefined));
}
