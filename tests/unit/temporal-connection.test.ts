import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadWorkerConfig } from '../../workers/config';
import { loadGatewayConfig } from '../../api/gateway/config';
import { temporalConnectOptions, temporalConnectionVariables } from '../../shared/temporal-connection';

/** Only what a test sets: none of this machine's variables. */
const env = (vars: Record<string, string> = {}) => vars as NodeJS.ProcessEnv;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'valerix-temporal-conn-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const file = (name: string, content: string) => {
  const target = path.join(dir, name);
  fs.writeFileSync(target, content);
  return target;
};

describe('Temporal connection settings (every process, one schema)', () => {
  it('is plain gRPC to the local dev server by default', () => {
    const { temporal } = loadWorkerConfig(env());
    expect(temporal).toEqual({ address: '127.0.0.1:7233', namespace: 'default' });
    expect(temporalConnectOptions(temporal)).toEqual({ address: '127.0.0.1:7233' });
  });

  it('reads the CA, the client pair and the server name for mTLS, at connect time', () => {
    const vars = {
      TEMPORAL_ADDRESS: 'temporal.internal:7233',
      TEMPORAL_NAMESPACE: 'orders',
      TEMPORAL_TLS_CA_FILE: file('ca.pem', 'CA'),
      TEMPORAL_TLS_CERT_FILE: file('client.pem', 'CERT'),
      TEMPORAL_TLS_KEY_FILE: file('client.key', 'KEY'),
      TEMPORAL_TLS_SERVER_NAME: 'frontend.internal',
    };
    const { temporal } = loadGatewayConfig(env(vars));
    const options = temporalConnectOptions(temporal);
    expect(options.address).toBe('temporal.internal:7233');
    expect(options.tls).toEqual({
      serverNameOverride: 'frontend.internal',
      serverRootCACertificate: Buffer.from('CA'),
      clientCertPair: { crt: Buffer.from('CERT'), key: Buffer.from('KEY') },
    });
    // The same settings survive the trip through a child process' environment.
    expect(loadWorkerConfig(env(temporalConnectionVariables(temporal))).temporal).toEqual(temporal);
  });

  it('takes TLS with the system CAs and an API key, as Temporal Cloud needs', () => {
    const { temporal } = loadWorkerConfig(env({ TEMPORAL_TLS: 'true', TEMPORAL_API_KEY: 'cloud-key', TEMPORAL_NAMESPACE: 'ns.acct' }));
    expect(temporalConnectOptions(temporal)).toEqual({ address: '127.0.0.1:7233', apiKey: 'cloud-key', tls: {} });
  });

  it('refuses a certificate without its key, a missing file, and a TEMPORAL_TLS that is not true or false, naming the variable', () => {
    expect(() => loadWorkerConfig(env({ TEMPORAL_TLS_CERT_FILE: file('only.pem', 'CERT') }))).toThrow(
      /TEMPORAL_TLS_KEY_FILE: .*go together/,
    );
    expect(() => loadGatewayConfig(env({ TEMPORAL_TLS_CA_FILE: path.join(dir, 'absent.pem') }))).toThrow(
      /TEMPORAL_TLS_CA_FILE: file not found/,
    );
    expect(() => loadWorkerConfig(env({ TEMPORAL_TLS: 'yes' }))).toThrow(/TEMPORAL_TLS/);
  });
});
