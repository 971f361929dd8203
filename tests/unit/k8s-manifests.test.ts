import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROMETHEUS_RULE_FILE, renderPrometheusRule, staleFiles } from '../../scripts/k8s-rules';
import { RULES_DIR } from '../../observability/references';
import { EVENTS_PATH } from '../../web/app/lib/live';
import {
  allProblems,
  containerProblems,
  cronJobProblems,
  gracePeriodProblems,
  ingressBackend,
  type K8sObject,
  podTemplates,
  probePathProblems,
  secretProblems,
  secretValueProblems,
  selectorProblems,
} from '../support/k8s-manifests';
import { K8S, components, overlays, renderVariants, variantNames } from '../support/k8s-render';

// k8s/: every overlay, alone and with every component, rendered by kustomize and validated by
// kubeconform against pinned offline schemas (all built or fetched by
// scripts/provision/k8s-tools.sh), then checked for what schemas cannot see.
const ROOT = path.resolve(import.meta.dirname, '../..');
const KUBECONFORM = process.env.KUBECONFORM_PATH ?? path.join(ROOT, '.tools/bin/kubeconform');
const SCHEMAS = process.env.K8S_SCHEMAS_DIR ?? path.join(ROOT, '.tools/k8s-schemas');
const KUBERNETES_VERSION = '1.37.0';
/** Objects of CRDs: no built-in schema. Named in k8s/README.md; checked by the assertions below. */
const CRD_KINDS = ['ServiceMonitor', 'PrometheusRule', 'ScaledObject'];
/** The Secrets made outside git (k8s/example-secret.yaml) and their keys. */
const SECRETS: Record<string, string[]> = {
  'valerix-secrets': [
    'ADMIN_TOKEN',
    'INVENTORY_SERVICE_TOKEN',
    'DASHBOARD_PASSWORD',
    'SESSION_SECRET',
    'ORDERS_DATABASE_URL',
    'INVENTORY_DATABASE_URL',
    'REDIS_URL',
  ],
  // The backup CronJob (k8s/components/backup); RESTORE_POSTGRES_URL is optional, for the drill.
  'valerix-backup': [
    'BACKUP_POSTGRES_URL',
    'BACKUP_RECORD_DATABASE_URL',
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
    'RESTORE_POSTGRES_URL',
  ],
};
const SECRET_KEYS = Object.values(SECRETS).flat();
const PROBES = {
  gateway: { live: '/health', ready: '/health/deep' },
  inventory: { live: '/health', ready: '/health/deep' },
  worker: { live: '/health', ready: '/health/deep' },
  web: { live: '/health', ready: '/health/deep' },
};
/** close-with-grace's delay (api/*\/server.ts) and WORKER_SHUTDOWN_GRACE_MS, in seconds. */
const SHUTDOWN_SECONDS = 10;

function run(command: string, args: string[], input?: string) {
  if (!fs.existsSync(command)) {
    throw new Error(`${command} not found: run scripts/provision.sh --for-tests (or scripts/provision/k8s-tools.sh)`);
  }
  const result = spawnSync(command, args, { encoding: 'utf8', input, maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw result.error;
  return { code: result.status, stdout: result.stdout, output: `${result.stdout}${result.stderr}` };
}

function kubeconform(manifest: string, skip: string[] = CRD_KINDS) {
  const location = path.join(SCHEMAS, '{{.NormalizedKubernetesVersion}}-local-strict/{{.ResourceKind}}{{.KindSuffix}}.json');
  const args = ['-strict', '-summary', '-output', 'text', '-kubernetes-version', KUBERNETES_VERSION, '-schema-location', location];
  if (skip.length > 0) args.push('-skip', skip.join(','));
  return run(KUBECONFORM, [...args, '-'], manifest);
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'valerix-k8s-'));
const rendered = new Map<string, { text: string; objects: K8sObject[] }>();

beforeAll(() => {
  for (const { name, text, objects } of renderVariants(tmp)) rendered.set(name, { text, objects });
}, 60_000);
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const objectsOf = (name: string) => rendered.get(name)!.objects;
const find = (objects: K8sObject[], kind: string, name: string) =>
  objects.find((object) => object.kind === kind && object.metadata.name === name);
const clone = <T>(value: T): T => structuredClone(value);

describe('k8s manifests: kustomize build + kubeconform', () => {
  it('has the dev and prod overlays and the optional components', () => {
    expect(overlays()).toEqual(['dev', 'prod']);
    expect(components()).toEqual(['backup', 'hpa', 'keda-worker', 'monitoring', 'network-policy', 'pdb']);
  });

  // A kubeconform process per variant: seconds when the two cores are busy.
  it.each(variantNames())('%s: kubeconform -strict finds every object valid', { timeout: 30_000 }, (name) => {
    const { code, output } = kubeconform(rendered.get(name)!.text);
    expect(code, output).toBe(0);
    const summary = /Valid: (\d+), Invalid: (\d+), Errors: (\d+), Skipped: (\d+)/.exec(output);
    expect(summary, output).not.toBeNull();
    const [valid, invalid, errors, skipped] = summary!.slice(1).map(Number);
    expect({ invalid, errors }).toEqual({ invalid: 0, errors: 0 });
    const objects = objectsOf(name);
    expect(skipped).toBe(objects.filter((object) => CRD_KINDS.includes(object.kind)).length);
    expect(valid).toBe(objects.length - skipped!);
  });

  it('every component renders with an overlay, and with all of them every kind in use is covered', () => {
    const kinds = new Set(objectsOf('dev + all components').map((object) => object.kind));
    for (const kind of [
      'Deployment',
      'CronJob',
      'Service',
      'ConfigMap',
      'Ingress',
      'Namespace',
      'HorizontalPodAutoscaler',
      'PodDisruptionBudget',
      'NetworkPolicy',
      ...CRD_KINDS,
    ]) {
      expect(kinds, kind).toContain(kind);
    }
    // The checks read pod templates of Deployments and CronJobs only (podTemplates); any other workload kind would go unchecked.
    for (const kind of ['Pod', 'Job', 'ReplicaSet', 'StatefulSet', 'DaemonSet']) expect(kinds, kind).not.toContain(kind);
  });

  it('kubeconform rejects a broken Deployment and names each error (the check can fail)', () => {
    const deployment = clone(find(objectsOf('prod'), 'Deployment', 'gateway')!);
    (deployment.spec.template.spec.containers[0] as Record<string, unknown>).livenesProbe = {};
    deployment.spec.replicas = 'two';
    const { code, output } = kubeconform(JSON.stringify(deployment));
    expect(code, output).toBe(1);
    expect(output).toMatch(/additional properties 'livenesProbe' not allowed/);
    expect(output).toMatch(/\/spec\/replicas': got string, want null or integer/);
  });

  it('kubeconform has no schema for the CRD kinds, hence -skip (the README names them)', () => {
    const monitor = find(objectsOf('prod + all components'), 'ServiceMonitor', 'valerix')!;
    const { code, output } = kubeconform(JSON.stringify(monitor), []);
    expect(code, output).toBe(1);
    expect(output).toMatch(/could not find schema for ServiceMonitor/);
    const readme = fs.readFileSync(path.join(K8S, 'README.md'), 'utf8');
    for (const kind of CRD_KINDS) expect(readme, kind).toContain(`\`${kind}\``);
  });
});

describe.each(variantNames())('k8s manifests: %s', (name) => {
  it("every container has requests and limits, the hardened securityContext and /tmp; a Deployment's also the three probes", () => {
    expect(containerProblems(objectsOf(name))).toEqual([]);
  });

  it('CronJobs: explicit time zone, one run at a time, deadlines, bounded retries, cleaned up', () => {
    expect(cronJobProblems(objectsOf(name))).toEqual([]);
  });

  it('probes: liveness /health, readiness /health/deep', () => {
    expect(probePathProblems(objectsOf(name), PROBES)).toEqual([]);
  });

  it('grace periods cover the preStop pause and the 10 s shutdown', () => {
    expect(gracePeriodProblems(objectsOf(name), SHUTDOWN_SECONDS)).toEqual([]);
  });

  it('selectors: Deployments match their pods; Services, PDBs, HPAs, ScaledObjects and the Ingress find theirs', () => {
    expect(selectorProblems(objectsOf(name))).toEqual([]);
  });

  it('renders no Secret; the containers read only the known keys of the known Secrets, by secretKeyRef', () => {
    const objects = objectsOf(name);
    expect(secretProblems(objects)).toEqual([]);
    expect(secretValueProblems(objects, SECRET_KEYS)).toEqual([]);
    const refs = podTemplates(objects)
      .flatMap(({ spec }) => spec.containers.flatMap((container: any) => container.env ?? []))
      .filter((env: any) => env.valueFrom?.secretKeyRef)
      .map((env: any) => ({ name: env.name, secret: env.valueFrom.secretKeyRef.name, key: env.valueFrom.secretKeyRef.key }));
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      expect(Object.keys(SECRETS)).toContain(ref.secret);
      expect(SECRETS[ref.secret]).toContain(ref.key);
      expect(ref.name).toBe(ref.key);
    }
    // Every key of a Secret in use is read somewhere (the example lists no dead key).
    for (const secret of new Set(refs.map((ref) => ref.secret))) {
      expect(new Set(refs.filter((ref) => ref.secret === secret).map((ref) => ref.key)), secret).toEqual(new Set(SECRETS[secret]));
    }
    expect(refs.some((ref) => ref.secret === 'valerix-secrets')).toBe(true);
  });

  it('the Ingress: / to the dashboard, /api to the gateway, the dashboard event stream to the dashboard', () => {
    const objects = objectsOf(name);
    expect(ingressBackend(objects, '/')).toBe('web');
    expect(ingressBackend(objects, '/orders/ord_1')).toBe('web');
    expect(ingressBackend(objects, '/api/orders')).toBe('gateway');
    expect(ingressBackend(objects, '/api')).toBe('gateway');
    expect(ingressBackend(objects, EVENTS_PATH)).toBe('web');
  });

  it('the config listens on all interfaces; no ConfigMap names a secret', () => {
    const objects = objectsOf(name);
    const config = objects.find((object) => object.kind === 'ConfigMap' && object.metadata.name.startsWith('valerix-config-'))!;
    expect(config.data).toMatchObject({
      GATEWAY_HOST: '0.0.0.0',
      INVENTORY_HOST: '0.0.0.0',
      WORKER_HTTP_HOST: '0.0.0.0',
      HOST: '0.0.0.0',
      NODE_ENV: 'production',
    });
    for (const configMap of objects.filter((object) => object.kind === 'ConfigMap')) {
      for (const key of SECRET_KEYS) expect(Object.keys(configMap.data ?? {}), configMap.metadata.name).not.toContain(key);
    }
  });
});

describe('k8s manifests: components', () => {
  it('the ScaledObject watches the namespace and task queue the worker polls (the ConfigMap)', () => {
    const objects = objectsOf('prod + all components');
    const config = objects.find((object) => object.kind === 'ConfigMap' && object.metadata.name.startsWith('valerix-config-'))!;
    const trigger = find(objects, 'ScaledObject', 'worker')!.spec.triggers[0];
    expect(trigger.type).toBe('temporal');
    expect(trigger.metadata.namespace).toBe(config.data!.TEMPORAL_NAMESPACE);
    expect(trigger.metadata.taskQueue).toBe(config.data!.TEMPORAL_TASK_QUEUE);
    expect(trigger.metadata.endpointFromEnv).toBe('TEMPORAL_ADDRESS');
  });

  it("the ServiceMonitor keeps the app's service label and names jobs as the rules expect", () => {
    const objects = objectsOf('prod + all components');
    const monitor = find(objects, 'ServiceMonitor', 'valerix')!;
    expect(monitor.spec.endpoints.every((endpoint: any) => endpoint.honorLabels === true && endpoint.path === '/metrics')).toBe(true);
    const jobs = objects
      .filter((object) => object.kind === 'Service')
      .map((service) => service.metadata.labels?.[monitor.spec.jobLabel])
      .filter(Boolean)
      .sort();
    expect(jobs).toEqual(['valerix-gateway', 'valerix-inventory', 'valerix-worker']);
  });

  it("the backup CronJob (prod): daily at 00:00 UTC, one run at a time, bounded; the image's backup command; secrets by secretKeyRef", () => {
    const objects = objectsOf('prod');
    const cronJob = find(objects, 'CronJob', 'backup')!;
    // The archive's key is the UTC day (backup/archive-store.ts): the schedule is read in UTC too.
    expect(cronJob.spec).toMatchObject({
      schedule: '5 0 * * *',
      timeZone: 'Etc/UTC',
      concurrencyPolicy: 'Forbid',
      startingDeadlineSeconds: 3600,
      jobTemplate: { spec: { backoffLimit: 2, activeDeadlineSeconds: 3600 } },
    });
    const pod = cronJob.spec.jobTemplate.spec.template.spec;
    expect(pod.restartPolicy).toBe('Never');
    const [container, ...others] = pod.containers;
    expect(others).toEqual([]);
    // The one Valerix image, as the Deployments run it; the command is one the image's entrypoint knows.
    expect(container.image).toBe(find(objects, 'Deployment', 'gateway')!.spec.template.spec.containers[0].image);
    expect(container.args).toEqual(['backup']);
    const entrypoint = fs.readFileSync(path.join(ROOT, 'deploy/image/entrypoint.sh'), 'utf8');
    expect(entrypoint).toMatch(/^\s*backup( \|[^)]*)?\) exec node dist\/backup\.mjs "\$service" "\$@"/m);
    expect(fs.readFileSync(path.join(ROOT, 'deploy/image/build.mjs'), 'utf8')).toContain("backup: 'backup/cli.ts'");
    // Every secret setting by secretKeyRef from valerix-backup; the rest from the ConfigMaps.
    const secretEnv = container.env.filter((env: any) => SECRETS['valerix-backup']!.includes(env.name));
    expect(secretEnv.map((env: any) => env.name).sort()).toEqual([...SECRETS['valerix-backup']!].sort());
    for (const env of secretEnv) {
      expect(env.value, env.name).toBeUndefined();
      expect(env.valueFrom.secretKeyRef, env.name).toMatchObject({ name: 'valerix-backup', key: env.name });
    }
    expect(container.env.filter((env: any) => env.valueFrom?.secretKeyRef?.optional).map((env: any) => env.name)).toEqual([
      'RESTORE_POSTGRES_URL',
    ]);
    const configMaps = container.envFrom.map((source: any) => find(objects, 'ConfigMap', source.configMapRef.name)!);
    expect(configMaps.map((configMap: K8sObject) => configMap.metadata.name.replace(/-[a-z0-9]{10}$/, ''))).toEqual([
      'valerix-config',
      'valerix-backup-config',
    ]);
    expect(configMaps[1].data).toMatchObject({
      BACKUP_S3_BUCKET: 'valerix-prod-backups',
      BACKUP_S3_REGION: 'us-east-1',
      BACKUP_S3_PREFIX: 'valerix/',
    });
    // /tmp holds the dumps and the archive.
    const tmp = pod.volumes.find((volume: any) => volume.name === 'tmp');
    expect(tmp.emptyDir.sizeLimit).toBe('2Gi');
    expect(container.resources.requests['ephemeral-storage']).toBe(tmp.emptyDir.sizeLimit);
    // Only prod runs it; dev gets it with the component, as any overlay would.
    expect(find(objectsOf('dev'), 'CronJob', 'backup')).toBeUndefined();
    expect(find(objectsOf('dev + all components'), 'CronJob', 'backup')).toBeDefined();
  });

  it('the Grafana dashboard ships as a ConfigMap labelled for the sidecar', () => {
    const dashboard = find(objectsOf('dev + all components'), 'ConfigMap', 'valerix-grafana-dashboard')!;
    expect(dashboard.metadata.labels?.grafana_dashboard).toBe('1');
    expect(JSON.parse(dashboard.data!['valerix.json']!)).toHaveProperty('panels');
  });

  it('the committed PrometheusRule and dashboard copy match their sources (npx tsx scripts/k8s-rules.ts)', () => {
    expect(staleFiles()).toEqual([]);
    const rule = find(objectsOf('prod + all components'), 'PrometheusRule', 'valerix')!;
    const alerts = rule.spec.groups.flatMap((group: any) => group.rules.map((r: any) => r.alert));
    expect(alerts).toContain('OrderLatencyHigh');
  });

  it('a changed rule file makes the committed PrometheusRule stale (the check can fail)', () => {
    const dir = path.join(tmp, 'rules');
    fs.mkdirSync(dir, { recursive: true });
    for (const file of fs.readdirSync(RULES_DIR)) {
      fs.writeFileSync(path.join(dir, file), fs.readFileSync(path.join(RULES_DIR, file), 'utf8').replace('> 0.05', '> 0.06'));
    }
    expect(renderPrometheusRule(dir)).not.toBe(fs.readFileSync(PROMETHEUS_RULE_FILE, 'utf8'));
    expect(renderPrometheusRule(RULES_DIR)).toBe(fs.readFileSync(PROMETHEUS_RULE_FILE, 'utf8'));
  });

  it('example-secret.yaml has every Secret with every key, placeholders only, and no kustomization includes it', () => {
    const examples = parseAllDocuments(fs.readFileSync(path.join(K8S, 'example-secret.yaml'), 'utf8')).map(
      (doc) => doc.toJS() as K8sObject & { stringData: Record<string, string> },
    );
    expect(examples.map((example) => example.metadata.name).sort()).toEqual(Object.keys(SECRETS).sort());
    for (const example of examples) {
      expect(example.kind).toBe('Secret');
      expect(Object.keys(example.stringData).sort()).toEqual([...SECRETS[example.metadata.name]!].sort());
      for (const value of Object.values(example.stringData)) expect(value).toMatch(/CHANGE-ME/);
    }
    const kustomizations = fs
      .readdirSync(K8S, { recursive: true, encoding: 'utf8' })
      .filter((file) => path.basename(file) === 'kustomization.yaml');
    for (const file of kustomizations) {
      const kustomization = parse(fs.readFileSync(path.join(K8S, file), 'utf8')) as Record<string, unknown>;
      const listed = ['resources', 'components', 'patches'].flatMap((key) => (Array.isArray(kustomization[key]) ? kustomization[key] : []));
      expect(JSON.stringify(listed), file).not.toContain('example-secret');
    }
  });
});

describe('k8s manifest checks catch broken manifests (each check can fail)', () => {
  const base = () => clone(objectsOf('prod'));
  const gateway = (objects: K8sObject[]) => find(objects, 'Deployment', 'gateway')!;
  const container = (objects: K8sObject[]) => gateway(objects).spec.template.spec.containers[0];

  it('the good rendering has no problems', () => {
    expect(allProblems(base())).toEqual([]);
  });

  it('a container without limits, probes or hardening', () => {
    const objects = base();
    delete container(objects).resources.limits;
    delete container(objects).readinessProbe;
    container(objects).securityContext.readOnlyRootFilesystem = false;
    container(objects).securityContext.allowPrivilegeEscalation = true;
    container(objects).securityContext.capabilities.drop = [];
    delete container(objects).securityContext.runAsNonRoot;
    container(objects).volumeMounts = [];
    expect(containerProblems(objects)).toEqual([
      'Deployment/gateway container gateway: no limits.cpu',
      'Deployment/gateway container gateway: no limits.memory',
      'Deployment/gateway container gateway: no readinessProbe',
      'Deployment/gateway container gateway: runAsNonRoot is not true',
      'Deployment/gateway container gateway: readOnlyRootFilesystem is not true',
      'Deployment/gateway container gateway: allowPrivilegeEscalation is not false',
      'Deployment/gateway container gateway: capabilities do not drop ALL',
      'Deployment/gateway container gateway: no emptyDir at /tmp',
    ]);
  });

  it('probes on the wrong paths, a grace period shorter than the shutdown', () => {
    const objects = base();
    container(objects).readinessProbe.httpGet.path = '/health';
    gateway(objects).spec.template.spec.terminationGracePeriodSeconds = 12;
    expect(probePathProblems(objects, PROBES)).toEqual(['Deployment/gateway: readinessProbe on /health, expected /health/deep']);
    expect(gracePeriodProblems(objects, SHUTDOWN_SECONDS)).toEqual([
      'Deployment/gateway: terminationGracePeriodSeconds 12 < preStop 5 s + shutdown 10 s + 5 s',
    ]);
  });

  it('a selector that misses its pods, a Service and a PDB selecting nothing, an HPA fighting spec.replicas', () => {
    const objects = base();
    gateway(objects).spec.selector.matchLabels['app.kubernetes.io/name'] = 'gatewy';
    find(objects, 'Service', 'inventory')!.spec.selector = { 'app.kubernetes.io/name': 'inventry' };
    find(objects, 'PodDisruptionBudget', 'web')!.spec.selector.matchLabels = { app: 'web' };
    find(objects, 'Deployment', 'web')!.spec.replicas = 3;
    expect(selectorProblems(objects)).toEqual([
      'Deployment/gateway: selector does not match its template labels',
      "Service/inventory: selects no Deployment's pods",
      "PodDisruptionBudget/web: selects no Deployment's pods",
      'HorizontalPodAutoscaler/web: Deployment/web still sets spec.replicas, which an apply would reset',
    ]);
  });

  it('a CronJob without a time zone or deadlines, allowing overlaps and endless retries; a secret as a literal', () => {
    const objects = base();
    const cronJob = find(objects, 'CronJob', 'backup')!;
    delete cronJob.spec.timeZone;
    cronJob.spec.concurrencyPolicy = 'Allow';
    delete cronJob.spec.startingDeadlineSeconds;
    cronJob.spec.jobTemplate.spec.backoffLimit = 100;
    delete cronJob.spec.jobTemplate.spec.activeDeadlineSeconds;
    delete cronJob.spec.jobTemplate.spec.ttlSecondsAfterFinished;
    const pod = cronJob.spec.jobTemplate.spec.template.spec;
    pod.restartPolicy = 'Always';
    expect(cronJobProblems(objects)).toEqual([
      'CronJob/backup: no timeZone',
      'CronJob/backup: concurrencyPolicy is not Forbid',
      'CronJob/backup: no startingDeadlineSeconds',
      'CronJob/backup: backoffLimit 100, expected 0-5',
      'CronJob/backup: no activeDeadlineSeconds',
      'CronJob/backup: no ttlSecondsAfterFinished',
      'CronJob/backup: restartPolicy is not Never or OnFailure',
    ]);
    const secret = pod.containers[0].env.find((env: any) => env.name === 'AWS_SECRET_ACCESS_KEY');
    delete secret.valueFrom;
    secret.value = 'a-literal-secret';
    expect(secretValueProblems(objects, SECRET_KEYS)).toEqual([
      'CronJob/backup container backup: AWS_SECRET_ACCESS_KEY is not from a secretKeyRef',
    ]);
  });

  it("a CronJob's container needs no probes, but the same hardening, resources and /tmp", () => {
    const objects = base();
    const pod = find(objects, 'CronJob', 'backup')!.spec.jobTemplate.spec.template.spec;
    expect(pod.containers[0].readinessProbe).toBeUndefined();
    delete pod.containers[0].resources.requests.memory;
    pod.containers[0].securityContext.readOnlyRootFilesystem = false;
    delete pod.automountServiceAccountToken;
    pod.enableServiceLinks = true;
    pod.volumes = [];
    expect(containerProblems(objects)).toEqual([
      'CronJob/backup: automountServiceAccountToken is not false',
      'CronJob/backup: enableServiceLinks is not false',
      'CronJob/backup container backup: no requests.memory',
      'CronJob/backup container backup: readOnlyRootFilesystem is not true',
      'CronJob/backup container backup: no emptyDir at /tmp',
    ]);
  });

  it('a rendered Secret', () => {
    const objects = base();
    objects.push({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'valerix-secrets' } });
    expect(secretProblems(objects)).toEqual(['Secret/valerix-secrets: a Secret is rendered']);
  });
});
