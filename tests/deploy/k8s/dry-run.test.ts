import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type K8sObject, podTemplates } from '../../support/k8s-manifests';
import { assertKubeTools, type CommandResult, type KubeApiserver, startKubeApiserver } from '../../support/kube-apiserver';
import { K8S, type RenderedVariant, renderVariants, variantNames } from '../../support/k8s-render';

// `kubectl apply --dry-run=server` of every overlay, alone and with every component, against a
// real kube-apiserver 1.37 (scripts/provision/kube-tools.sh builds it, kubectl and etcd): the
// apiserver's own validation and admission, which catch what schemas miss. The offline checks
// (kubeconform, assertions on the rendered objects) are tests/unit/k8s-manifests.test.ts.
const ROOT = path.resolve(import.meta.dirname, '../../..');
const STAND_IN_CRDS = path.join(import.meta.dirname, 'stand-in-crds.yaml');
/** Kinds of CRDs (Prometheus Operator, KEDA): registered by stand-in CRDs that accept any spec. */
const CRD_KINDS = ['PrometheusRule', 'ScaledObject', 'ServiceMonitor'];
const KUBECONFORM = process.env.KUBECONFORM_PATH ?? path.join(ROOT, '.tools/bin/kubeconform');
const SCHEMAS = process.env.K8S_SCHEMAS_DIR ?? path.join(ROOT, '.tools/k8s-schemas');

const names = variantNames();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'valerix-k8s-dry-run-'));
let cluster: KubeApiserver;
let variants: RenderedVariant[];
/** The dry run of `prod + all components` before the stand-in CRDs were applied. */
let beforeCrds: CommandResult;
/** Why the cluster could not be set up (missing binaries: the provision script to run); every test fails with it. */
let setupError: unknown;

const variant = (name: string) => variants.find((candidate) => candidate.name === name)!;
const find = (objects: K8sObject[], kind: string, name: string) =>
  objects.find((object) => object.kind === kind && object.metadata.name === name)!;
const clone = <T>(value: T): T => structuredClone(value);
const list = (items: unknown[]) => JSON.stringify({ apiVersion: 'v1', kind: 'List', items });
const dryRunApply = (manifest: string) => cluster.kubectl(['apply', '--dry-run=server', '--validate=strict', '-f', '-'], manifest);
const dryRunCreate = (manifest: string) => cluster.kubectl(['create', '--dry-run=server', '--validate=strict', '-f', '-'], manifest);

/** How kubectl names an object in its output: `deployment.apps/gateway`, `service/gateway`. */
const printedName = (object: K8sObject) => {
  const group = object.apiVersion.includes('/') ? `.${object.apiVersion.split('/')[0]}` : '';
  return `${object.kind.toLowerCase()}${group}/${object.metadata.name}`;
};
/** The objects kubectl reports as accepted by the server's dry run. */
const dryRunAccepted = (stdout: string) =>
  stdout
    .split('\n')
    .map((line) => /^(\S+) (?:created|configured|unchanged) \(server dry run\)$/.exec(line)?.[1])
    .filter((name): name is string => name !== undefined);

/**
 * Each workload's pod template (Deployments, and CronJobs through their Job) as the Pod its
 * controller would create: what Pod Security enforces on. The controllers do not run here.
 */
const podsOf = (objects: K8sObject[]) =>
  podTemplates(objects).map(({ owner, metadata, spec }) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${owner.metadata.name}-pod`,
      namespace: owner.metadata.namespace,
      labels: metadata.labels,
    },
    spec,
  }));

/** kubeconform -strict finds the object valid against the Kubernetes 1.37 schema (as in the unit test). */
function expectSchemaValid(object: unknown) {
  for (const needed of [KUBECONFORM, SCHEMAS]) {
    if (!fs.existsSync(needed)) throw new Error(`${needed} not found: run \`bash scripts/provision/k8s-tools.sh\``);
  }
  const location = path.join(SCHEMAS, '{{.NormalizedKubernetesVersion}}-local-strict/{{.ResourceKind}}{{.KindSuffix}}.json');
  const result = spawnSync(KUBECONFORM, ['-strict', '-summary', '-kubernetes-version', '1.37.0', '-schema-location', location, '-'], {
    encoding: 'utf8',
    input: JSON.stringify(object),
  });
  const output = `${result.stdout}${result.stderr}`;
  expect(result.status, output).toBe(0);
  expect(output).toMatch(/Valid: 1, Invalid: 0, Errors: 0, Skipped: 0/);
}

beforeAll(async () => {
  try {
    await setUp();
  } catch (error) {
    setupError = error;
  }
});
// A failed beforeAll leaves the tests skipped, which the suite's "N passed, N failed" line does not count as failures.
beforeEach(() => {
  if (setupError) throw setupError;
});

async function setUp() {
  assertKubeTools();
  variants = renderVariants(tmp);
  cluster = await startKubeApiserver();
  // The namespaces exist for real (with their Pod Security labels), as on a cluster where the
  // overlay was applied before; without them every namespaced object fails "namespace not found".
  const namespaces = new Map<string, K8sObject>();
  for (const { objects } of variants) {
    for (const object of objects.filter((candidate) => candidate.kind === 'Namespace')) namespaces.set(object.metadata.name, object);
  }
  cluster.kubectlOk(['apply', '-f', '-'], list([...namespaces.values()]));
  for (const namespace of namespaces.keys()) cluster.createDefaultServiceAccount(namespace);
  beforeCrds = dryRunApply(variant('prod + all components').text);
  cluster.kubectlOk(['apply', '-f', STAND_IN_CRDS]);
  const crdNames = cluster.kubectlOk(['get', '-f', STAND_IN_CRDS, '-o', 'name']).trim().split('\n');
  cluster.kubectlOk(['wait', '--for=condition=Established', '--timeout=60s', ...crdNames]);
}

afterAll(async () => {
  if (cluster) {
    const rss = cluster.rssMiB();
    console.log(`kube-apiserver: ready in ${cluster.startupSeconds.toFixed(1)} s; RSS ${rss.apiserver} MiB (etcd ${rss.etcd} MiB)`);
    await cluster.stop();
  }
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('k8s manifests: kubectl apply --dry-run=server against kube-apiserver 1.37', () => {
  it.each(names)('%s: the apiserver accepts every object, without a warning', (name) => {
    const { text, objects } = variant(name);
    const result = dryRunApply(text);
    expect(result.code, result.output).toBe(0);
    // Warnings include Pod Security ("would violate PodSecurity") and deprecated APIs.
    expect(result.stderr.trim(), result.output).toBe('');
    expect(dryRunAccepted(result.stdout).sort()).toEqual(objects.map(printedName).sort());
  });

  it.each(names)('%s: every pod template, as a Pod, is admitted: restricted Pod Security enforced by its namespace', (name) => {
    const pods = podsOf(variant(name).objects);
    expect(pods.length).toBeGreaterThan(0);
    const result = dryRunCreate(list(pods));
    expect(result.code, result.output).toBe(0);
    expect(result.stderr.trim(), result.output).toBe('');
    expect(dryRunAccepted(result.stdout)).toHaveLength(pods.length);
  });

  it('the namespaces enforce the restricted Pod Security Standard (what the Pod check above relies on)', () => {
    for (const namespace of ['valerix', 'valerix-dev']) {
      const labels = JSON.parse(cluster.kubectlOk(['get', 'namespace', namespace, '-o', 'jsonpath={.metadata.labels}'])) as Record<
        string,
        string
      >;
      expect(labels['pod-security.kubernetes.io/enforce'], namespace).toBe('restricted');
    }
  });

  it('the CRD kinds exist only through the stand-in CRDs (any spec accepted); the README says so', () => {
    // Before the stand-ins, exactly these kinds were unknown, and nothing else failed.
    expect(beforeCrds.code, beforeCrds.output).not.toBe(0);
    const unknownKinds = [...beforeCrds.output.matchAll(/no matches for kind "(\w+)"/g)].map((match) => match[1]);
    expect([...new Set(unknownKinds)].sort(), beforeCrds.output).toEqual(CRD_KINDS);
    const objects = variant('prod + all components').objects;
    expect(dryRunAccepted(beforeCrds.stdout).sort()).toEqual(
      objects
        .filter((object) => !CRD_KINDS.includes(object.kind))
        .map(printedName)
        .sort(),
    );
    const standIns = fs.readFileSync(STAND_IN_CRDS, 'utf8');
    for (const kind of CRD_KINDS) expect(standIns).toContain(`kind: ${kind}\n`);
    const readme = fs.readFileSync(path.join(K8S, 'README.md'), 'utf8');
    expect(readme).toContain('tests/deploy/k8s/stand-in-crds.yaml');
  });
});

// Each broken object passes kubeconform -strict (valid against the schema) and is refused by the
// apiserver, with its message; Pod Security refuses the Pod and warns for its Deployment.
describe('k8s manifests: the server-side dry run catches what kubeconform misses', () => {
  const prod = () => variant('prod').objects;

  it('a Deployment whose selector does not match its template labels', () => {
    const deployment = clone(find(prod(), 'Deployment', 'gateway'));
    deployment.spec.template.metadata.labels = { 'app.kubernetes.io/name': 'gateway-v2' };
    expectSchemaValid(deployment);
    const result = dryRunApply(JSON.stringify(deployment));
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/spec\.template\.metadata\.labels: Invalid value: .*`selector` does not match template `labels`/);
  });

  it('a container whose requests exceed its limits', () => {
    const deployment = clone(find(prod(), 'Deployment', 'worker'));
    const resources = deployment.spec.template.spec.containers[0].resources;
    resources.requests.cpu = '2';
    resources.limits.cpu = '1';
    expectSchemaValid(deployment);
    const result = dryRunApply(JSON.stringify(deployment));
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(
      /spec\.template\.spec\.containers\[0\]\.resources\.requests: Invalid value: "2": must be less than or equal to cpu limit of 1/,
    );
  });

  it('a PodDisruptionBudget with both maxUnavailable and minAvailable', () => {
    const pdb = clone(find(prod(), 'PodDisruptionBudget', 'gateway'));
    pdb.spec.minAvailable = 1;
    expectSchemaValid(pdb);
    const result = dryRunApply(JSON.stringify(pdb));
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/minAvailable and maxUnavailable cannot be both set/);
  });

  it('a CronJob whose schedule is not a five-field cron expression', () => {
    const cronJob = clone(find(prod(), 'CronJob', 'backup'));
    cronJob.spec.schedule = '0 0 * *';
    expectSchemaValid(cronJob);
    const result = dryRunApply(JSON.stringify(cronJob));
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/spec\.schedule: Invalid value: "0 0 \* \*": expected exactly 5 fields/);
  });

  it('a label value over 63 characters', () => {
    const service = clone(find(prod(), 'Service', 'gateway'));
    service.metadata.labels = { ...service.metadata.labels, 'app.kubernetes.io/version': `v${'1'.repeat(63)}` };
    expectSchemaValid(service);
    const result = dryRunApply(JSON.stringify(service));
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/metadata\.labels: Invalid value: "v1{63}": must be no more than 63 (characters|bytes)/);
  });

  it('a pod the namespace’s restricted Pod Security forbids (a hostPath volume): a warning for the Deployment, a refusal for the Pod', () => {
    const deployment = clone(find(prod(), 'Deployment', 'gateway'));
    deployment.spec.template.spec.volumes.push({ name: 'host', hostPath: { path: '/var/run' } });
    expectSchemaValid(deployment);
    const warned = dryRunApply(JSON.stringify(deployment));
    expect(warned.code, warned.output).toBe(0);
    expect(warned.stderr).toMatch(/Warning: would violate PodSecurity "restricted:latest": .*hostPath/);
    const refused = dryRunCreate(JSON.stringify(podsOf([deployment])[0]));
    expect(refused.code).not.toBe(0);
    expect(refused.output).toMatch(
      /is forbidden: violates PodSecurity "restricted:latest": restricted volume types \(volume "host" uses restricted volume type "hostPath"\)/,
    );
  });
});
