/**
 * A throw-away Kubernetes control plane for the deployment suite: etcd and kube-apiserver on free
 * loopback ports, state in a temp dir, a static admin token, a service-account key pair. No
 * controller-manager, scheduler or node: nothing runs, but `kubectl apply --dry-run=server` goes
 * through the apiserver's own validation, defaulting and admission (Pod Security included) as on a
 * cluster. The binaries are built by scripts/provision/kube-tools.sh into .tools/bin.
 *
 * Without a controller-manager nobody creates a namespace's `default` ServiceAccount:
 * `createDefaultServiceAccount` does (the ServiceAccount admission plugin refuses Pods without it).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');
const TOOLS_BIN = path.join(ROOT, '.tools/bin');

const KUBE_TOOLS = {
  kubeApiserver: process.env.KUBE_APISERVER_PATH ?? path.join(TOOLS_BIN, 'kube-apiserver'),
  kubectl: process.env.KUBECTL_PATH ?? path.join(TOOLS_BIN, 'kubectl'),
  etcd: process.env.ETCD_PATH ?? path.join(TOOLS_BIN, 'etcd'),
};

/** Throws, naming the provision script, when a binary is missing. */
export function assertKubeTools(): void {
  const missing = Object.values(KUBE_TOOLS).filter((binary) => !fs.existsSync(binary));
  if (missing.length > 0) {
    throw new Error(
      `missing ${missing.map((binary) => (binary.startsWith(`${ROOT}/`) ? path.relative(ROOT, binary) : binary)).join(', ')}: run \`bash scripts/provision/kube-tools.sh\` ` +
        '(builds kube-apiserver, kubectl and etcd into .tools/bin; ~9 min cold, seconds from the machine cache)',
    );
  }
}

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout then stderr, for failure messages */
  output: string;
}

export interface KubeApiserver {
  /** https://127.0.0.1:<port> */
  url: string;
  kubeconfig: string;
  /** kubectl with this cluster's kubeconfig; `input` goes to its stdin (`-f -`). */
  kubectl(args: string[], input?: string): CommandResult;
  /** The same, throwing with kubectl's output unless it exits 0. */
  kubectlOk(args: string[], input?: string): string;
  /** Creates the namespace's `default` ServiceAccount (the controller-manager's job on a cluster). */
  createDefaultServiceAccount(namespace: string): void;
  /** Resident memory of the kube-apiserver and etcd processes, in MiB (from /proc). */
  rssMiB(): { apiserver: number; etcd: number };
  /** Seconds from spawning etcd to the apiserver's /readyz answering ok. */
  startupSeconds: number;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Ports the kernel hands out for 127.0.0.1, all held at once so they differ. */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<net.Server>((resolve, reject) => {
          const server = net.createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((server) => (server.address() as net.AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

const tail = (file: string, lines = 30) => {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
};

function rssMiB(pid: number | undefined): number {
  if (pid === undefined) return 0;
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Math.round(Number(match[1]) / 1024) : 0;
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Starts etcd, then kube-apiserver against it; resolves once /readyz answers ok. */
export async function startKubeApiserver(): Promise<KubeApiserver> {
  assertKubeTools();
  const started = performance.now();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'valerix-kube-apiserver-'));
  const [etcdClientPort, etcdPeerPort, apiserverPort] = (await freePorts(3)) as [number, number, number];
  const children: ChildProcess[] = [];
  // A test run that dies before stop() must not leave the servers behind.
  const killAll = () => children.forEach((child) => child.kill('SIGKILL'));
  process.once('exit', killAll);

  const launch = (name: string, binary: string, args: string[]) => {
    const log = path.join(dir, `${name}.log`);
    const fd = fs.openSync(log, 'a');
    const child = spawn(binary, args, { stdio: ['ignore', fd, fd] });
    fs.closeSync(fd);
    children.push(child);
    return { child, log };
  };
  const fail = async (message: string, log: string): Promise<never> => {
    await Promise.all(children.map(stopProcess));
    const logTail = tail(log);
    fs.rmSync(dir, { recursive: true, force: true });
    throw new Error(`${message}; the last lines of its log:\n${logTail}`);
  };

  // --- etcd: one member, loopback only, no fsync (the data is thrown away) ----------------------
  const etcdUrl = `http://127.0.0.1:${etcdClientPort}`;
  const peerUrl = `http://127.0.0.1:${etcdPeerPort}`;
  const etcd = launch('etcd', KUBE_TOOLS.etcd, [
    '--name=valerix-test',
    `--data-dir=${path.join(dir, 'etcd')}`,
    `--listen-client-urls=${etcdUrl}`,
    `--advertise-client-urls=${etcdUrl}`,
    `--listen-peer-urls=${peerUrl}`,
    `--initial-advertise-peer-urls=${peerUrl}`,
    `--initial-cluster=valerix-test=${peerUrl}`,
    '--unsafe-no-fsync',
    '--log-level=warn',
  ]);
  for (let deadline = Date.now() + 30_000; ;) {
    if (etcd.child.exitCode !== null) await fail(`etcd exited with code ${etcd.child.exitCode}`, etcd.log);
    const health = await fetch(`${etcdUrl}/health`)
      .then((response) => response.text())
      .catch(() => '');
    if (health.includes('"health":"true"')) break;
    if (Date.now() > deadline) await fail(`etcd did not report healthy at ${etcdUrl} within 30 s`, etcd.log);
    await sleep(100);
  }

  // --- kube-apiserver ----------------------------------------------------------------------------
  const token = crypto.randomBytes(24).toString('hex');
  fs.writeFileSync(path.join(dir, 'tokens.csv'), `${token},valerix-test-admin,valerix-test-admin,"system:masters"\n`, { mode: 0o600 });
  const keys = crypto.generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  fs.writeFileSync(path.join(dir, 'sa.pub'), keys.publicKey);
  fs.writeFileSync(path.join(dir, 'sa.key'), keys.privateKey, { mode: 0o600 });
  const certDir = path.join(dir, 'pki');
  const apiserver = launch('kube-apiserver', KUBE_TOOLS.kubeApiserver, [
    `--etcd-servers=${etcdUrl}`,
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    `--secure-port=${apiserverPort}`,
    // No --tls-cert-file: it writes a self-signed serving certificate (and its CA) here.
    `--cert-dir=${certDir}`,
    `--token-auth-file=${path.join(dir, 'tokens.csv')}`,
    '--authorization-mode=RBAC',
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    `--service-account-key-file=${path.join(dir, 'sa.pub')}`,
    `--service-account-signing-key-file=${path.join(dir, 'sa.key')}`,
    '--service-cluster-ip-range=10.96.0.0/24',
    // No node runs an apiserver endpoint to reconcile.
    '--endpoint-reconciler-type=none',
    '--profiling=false',
  ]);

  const url = `https://127.0.0.1:${apiserverPort}`;
  const kubeconfig = path.join(dir, 'kubeconfig');
  fs.writeFileSync(
    kubeconfig,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'valerix-test', cluster: { server: url, 'certificate-authority': path.join(certDir, 'apiserver.crt') } }],
      users: [{ name: 'valerix-test-admin', user: { token } }],
      contexts: [{ name: 'valerix-test', context: { cluster: 'valerix-test', user: 'valerix-test-admin' } }],
      'current-context': 'valerix-test',
    }),
    { mode: 0o600 },
  );
  const cacheDir = path.join(dir, 'kubectl-cache');
  const kubectl = (args: string[], input?: string): CommandResult => {
    const result = spawnSync(KUBE_TOOLS.kubectl, [`--kubeconfig=${kubeconfig}`, `--cache-dir=${cacheDir}`, ...args], {
      encoding: 'utf8',
      input,
      maxBuffer: 64 * 1024 * 1024,
      timeout: 60_000,
    });
    if (result.error) throw result.error;
    return { code: result.status, stdout: result.stdout, stderr: result.stderr, output: `${result.stdout}${result.stderr}` };
  };
  const kubectlOk = (args: string[], input?: string) => {
    const result = kubectl(args, input);
    if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited with ${result.code}:\n${result.output}`);
    return result.stdout;
  };

  for (let deadline = Date.now() + 60_000; ;) {
    if (apiserver.child.exitCode !== null) await fail(`kube-apiserver exited with code ${apiserver.child.exitCode}`, apiserver.log);
    if (fs.existsSync(path.join(certDir, 'apiserver.crt'))) {
      const readyz = kubectl(['get', '--raw=/readyz', '--request-timeout=2s']);
      if (readyz.code === 0 && readyz.stdout.trim() === 'ok') break;
    }
    if (Date.now() > deadline) await fail(`kube-apiserver was not ready at ${url} within 60 s`, apiserver.log);
    await sleep(250);
  }
  const startupSeconds = (performance.now() - started) / 1000;

  return {
    url,
    kubeconfig,
    kubectl,
    kubectlOk,
    createDefaultServiceAccount(namespace) {
      const result = kubectl(['--namespace', namespace, 'create', 'serviceaccount', 'default']);
      if (result.code !== 0 && !/AlreadyExists|already exists/.test(result.output)) {
        throw new Error(`kubectl create serviceaccount default -n ${namespace} failed:\n${result.output}`);
      }
    },
    rssMiB: () => ({ apiserver: rssMiB(apiserver.child.pid), etcd: rssMiB(etcd.child.pid) }),
    startupSeconds,
    async stop() {
      await stopProcess(apiserver.child);
      await stopProcess(etcd.child);
      process.removeListener('exit', killAll);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
