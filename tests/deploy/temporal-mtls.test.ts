import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { ensureTemporalCertificates } from '../../infra/temporal-tls';
import { temporalConnectOptions, type TemporalConnectionSettings } from '../../shared/temporal-connection';

/** The suite's real Temporal server requires mTLS on its frontend: only a certificate from its CA gets in. */
const { temporal } = inject('infra');
const tls = temporal.tls!;
const strangerDir = fs.mkdtempSync(path.join(os.tmpdir(), 'valerix-stranger-ca-'));
afterAll(() => fs.rmSync(strangerDir, { recursive: true, force: true }));

async function systemInfo(settings: TemporalConnectionSettings): Promise<void> {
  const connection = await Connection.connect({ ...temporalConnectOptions(settings), connectTimeout: 3000 });
  try {
    await connection.workflowService.getSystemInfo({});
  } finally {
    await connection.close();
  }
}

describe('Temporal server mTLS', () => {
  it('serves a client with the stack CA’s certificate (client and worker connections)', async () => {
    expect(tls.certFile && tls.keyFile && tls.caFile).toBeTruthy();
    await systemInfo(temporal);
    const worker = await NativeConnection.connect(temporalConnectOptions(temporal));
    await worker.close();
  });

  // Each refusal follows a successful call at the same address: the server is up, the credentials are what it turns away.
  it('refuses a client without a certificate, one without TLS, and one whose certificate another CA signed', async () => {
    await systemInfo(temporal);
    await expect(systemInfo({ ...temporal, tls: { caFile: tls.caFile, serverName: tls.serverName } })).rejects.toThrow();
    await expect(systemInfo({ address: temporal.address, namespace: temporal.namespace })).rejects.toThrow();
    const stranger = ensureTemporalCertificates(strangerDir);
    await expect(
      systemInfo({ ...temporal, tls: { ...tls, certFile: stranger.clientCertFile, keyFile: stranger.clientKeyFile } }),
    ).rejects.toThrow();
    await expect(
      NativeConnection.connect(temporalConnectOptions({ ...temporal, tls: { caFile: tls.caFile, serverName: tls.serverName } })),
    ).rejects.toThrow();
  });

  it('refuses to talk to a server whose certificate does not match the expected name or CA', async () => {
    await systemInfo(temporal);
    await expect(systemInfo({ ...temporal, tls: { ...tls, serverName: 'not-the-frontend.example' } })).rejects.toThrow();
    const stranger = ensureTemporalCertificates(strangerDir);
    await expect(systemInfo({ ...temporal, tls: { ...tls, caFile: stranger.caFile } })).rejects.toThrow();
  });
});
