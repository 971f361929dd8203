/**
 * Checks on rendered Kubernetes objects (the output of `kustomize build k8s/overlays/...`) that
 * schemas cannot make: hardening, probes and resources of every container, selectors that find
 * their pods, bounded scheduled jobs, secrets only by reference, no Secret in the output. Each
 * returns the problems found, so a test can show it fails on a broken manifest.
 */
import { parseAllDocuments } from 'yaml';

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: any;
  data?: Record<string, string>;
}

export const parseObjects = (text: string): K8sObject[] =>
  parseAllDocuments(text)
    .map((doc) => doc.toJS() as K8sObject | null)
    .filter((object): object is K8sObject => object !== null);

const id = (object: K8sObject) => `${object.kind}/${object.metadata.name}`;
/** Deployments only: probes, grace periods and selectors concern the long-running workloads. */
const workloads = (objects: K8sObject[]) => objects.filter((object) => object.kind === 'Deployment');
const matches = (selector: Record<string, string> | undefined, labels: Record<string, string> | undefined) =>
  selector !== undefined && Object.keys(selector).length > 0 && Object.entries(selector).every(([key, value]) => labels?.[key] === value);

export interface PodTemplate {
  owner: K8sObject;
  metadata: { labels?: Record<string, string> };
  spec: any;
  /** A Deployment's pods serve until replaced; a CronJob's run to completion. */
  longRunning: boolean;
}

/** The pod template of every workload: Deployments and CronJobs (the kinds k8s/ uses). */
export function podTemplates(objects: K8sObject[]): PodTemplate[] {
  return objects.flatMap((object): PodTemplate[] => {
    if (object.kind === 'Deployment') return [{ owner: object, ...object.spec?.template, longRunning: true }];
    if (object.kind === 'CronJob') return [{ owner: object, ...object.spec?.jobTemplate?.spec?.template, longRunning: false }];
    return [];
  });
}

/**
 * Every container of every workload: requests and limits, the hardened securityContext, a
 * writable /tmp; no service-account token or service links in its pod. The three probes only in
 * long-running workloads (Deployments): a Job's pod takes no traffic to gate, and its end is its
 * exit, bounded by activeDeadlineSeconds (cronJobProblems).
 */
export function containerProblems(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const { owner, spec, longRunning } of podTemplates(objects)) {
    const pod = spec ?? {};
    if (pod.automountServiceAccountToken !== false) problems.push(`${id(owner)}: automountServiceAccountToken is not false`);
    if (pod.enableServiceLinks !== false) problems.push(`${id(owner)}: enableServiceLinks is not false`);
    for (const container of [...(pod.initContainers ?? []), ...(pod.containers ?? [])]) {
      const where = `${id(owner)} container ${container.name}`;
      for (const kind of ['requests', 'limits']) {
        for (const resource of ['cpu', 'memory']) {
          if (container.resources?.[kind]?.[resource] === undefined) problems.push(`${where}: no ${kind}.${resource}`);
        }
      }
      for (const probe of longRunning ? ['startupProbe', 'livenessProbe', 'readinessProbe'] : []) {
        if (!container[probe]) problems.push(`${where}: no ${probe}`);
      }
      const security = container.securityContext ?? {};
      if (security.runAsNonRoot !== true) problems.push(`${where}: runAsNonRoot is not true`);
      if (security.readOnlyRootFilesystem !== true) problems.push(`${where}: readOnlyRootFilesystem is not true`);
      if (security.allowPrivilegeEscalation !== false) problems.push(`${where}: allowPrivilegeEscalation is not false`);
      if (!(security.capabilities?.drop ?? []).includes('ALL')) problems.push(`${where}: capabilities do not drop ALL`);
      if ((security.seccompProfile ?? pod.securityContext?.seccompProfile)?.type !== 'RuntimeDefault') {
        problems.push(`${where}: seccompProfile is not RuntimeDefault`);
      }
      const tmp = (container.volumeMounts ?? []).find((mount: { mountPath: string }) => mount.mountPath === '/tmp');
      const tmpVolume = (pod.volumes ?? []).find((volume: { name: string }) => volume.name === tmp?.name);
      if (!tmpVolume?.emptyDir) problems.push(`${where}: no emptyDir at /tmp`);
    }
  }
  return problems;
}

/** Liveness on `live`, readiness on `ready` (HTTP GET paths), per Deployment name. */
export function probePathProblems(objects: K8sObject[], expected: Record<string, { live: string; ready: string }>): string[] {
  const problems: string[] = [];
  for (const deployment of workloads(objects)) {
    const want = expected[deployment.metadata.name];
    if (!want) {
      problems.push(`${id(deployment)}: no expected probe paths`);
      continue;
    }
    for (const container of deployment.spec.template.spec.containers ?? []) {
      const paths = {
        startupProbe: container.startupProbe?.httpGet?.path,
        livenessProbe: container.livenessProbe?.httpGet?.path,
        readinessProbe: container.readinessProbe?.httpGet?.path,
      };
      if (paths.startupProbe !== want.live)
        problems.push(`${id(deployment)}: startupProbe on ${paths.startupProbe}, expected ${want.live}`);
      if (paths.livenessProbe !== want.live)
        problems.push(`${id(deployment)}: livenessProbe on ${paths.livenessProbe}, expected ${want.live}`);
      if (paths.readinessProbe !== want.ready)
        problems.push(`${id(deployment)}: readinessProbe on ${paths.readinessProbe}, expected ${want.ready}`);
    }
  }
  return problems;
}

/**
 * The grace period covers the preStop pause plus the process's own shutdown (`shutdownSeconds`:
 * close-with-grace's delay, the worker's shutdown grace), with at least `marginSeconds` to spare.
 */
export function gracePeriodProblems(objects: K8sObject[], shutdownSeconds: number, marginSeconds = 5): string[] {
  const problems: string[] = [];
  for (const deployment of workloads(objects)) {
    const pod = deployment.spec.template.spec;
    const grace = pod.terminationGracePeriodSeconds;
    const preStop = Math.max(0, ...(pod.containers ?? []).map((container: any) => container.lifecycle?.preStop?.sleep?.seconds ?? 0));
    if (typeof grace !== 'number' || grace < preStop + shutdownSeconds + marginSeconds) {
      problems.push(
        `${id(deployment)}: terminationGracePeriodSeconds ${grace} < preStop ${preStop} s + shutdown ${shutdownSeconds} s + ${marginSeconds} s`,
      );
    }
  }
  return problems;
}

/** Deployment selectors match their own pod template; every Service, PDB and HPA finds its Deployment. */
export function selectorProblems(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  const deployments = workloads(objects);
  for (const deployment of deployments) {
    if (!matches(deployment.spec?.selector?.matchLabels, deployment.spec?.template?.metadata?.labels)) {
      problems.push(`${id(deployment)}: selector does not match its template labels`);
    }
  }
  const selectsSome = (selector: Record<string, string> | undefined) =>
    deployments.some((deployment) => matches(selector, deployment.spec?.template?.metadata?.labels));
  for (const object of objects) {
    if (object.kind === 'Service' && !selectsSome(object.spec?.selector)) problems.push(`${id(object)}: selects no Deployment's pods`);
    if (object.kind === 'PodDisruptionBudget' && !selectsSome(object.spec?.selector?.matchLabels))
      problems.push(`${id(object)}: selects no Deployment's pods`);
    if (object.kind === 'HorizontalPodAutoscaler' || object.kind === 'ScaledObject') {
      const target = deployments.find((deployment) => deployment.metadata.name === object.spec?.scaleTargetRef?.name);
      if (!target) problems.push(`${id(object)}: targets no Deployment`);
      else if (target.spec.replicas !== undefined)
        problems.push(`${id(object)}: ${id(target)} still sets spec.replicas, which an apply would reset`);
    }
  }
  for (const ingress of objects.filter((object) => object.kind === 'Ingress')) {
    for (const rule of ingress.spec?.rules ?? []) {
      for (const route of rule.http?.paths ?? []) {
        const name = route.backend?.service?.name;
        if (!objects.some((object) => object.kind === 'Service' && object.metadata.name === name))
          problems.push(`${id(ingress)}: ${route.path} goes to no Service (${name})`);
      }
    }
  }
  return problems;
}

/**
 * Scheduled jobs run when meant and stay bounded: an explicit timeZone (else the controller's
 * zone decides), never two at once, a starting deadline, a bounded number of attempts within a
 * deadline, finished Jobs cleaned up, and pods that end instead of restarting forever.
 */
export function cronJobProblems(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const cronJob of objects.filter((object) => object.kind === 'CronJob')) {
    const where = id(cronJob);
    const spec = cronJob.spec ?? {};
    const job = spec.jobTemplate?.spec ?? {};
    const positive = (value: unknown) => typeof value === 'number' && value > 0;
    if (typeof spec.timeZone !== 'string' || spec.timeZone === '') problems.push(`${where}: no timeZone`);
    if (spec.concurrencyPolicy !== 'Forbid') problems.push(`${where}: concurrencyPolicy is not Forbid`);
    if (!positive(spec.startingDeadlineSeconds)) problems.push(`${where}: no startingDeadlineSeconds`);
    for (const limit of ['successfulJobsHistoryLimit', 'failedJobsHistoryLimit']) {
      if (typeof spec[limit] !== 'number') problems.push(`${where}: no ${limit}`);
    }
    if (typeof job.backoffLimit !== 'number' || job.backoffLimit > 5)
      problems.push(`${where}: backoffLimit ${job.backoffLimit}, expected 0-5`);
    if (!positive(job.activeDeadlineSeconds)) problems.push(`${where}: no activeDeadlineSeconds`);
    if (!positive(job.ttlSecondsAfterFinished)) problems.push(`${where}: no ttlSecondsAfterFinished`);
    if (!['Never', 'OnFailure'].includes(job.template?.spec?.restartPolicy))
      problems.push(`${where}: restartPolicy is not Never or OnFailure`);
  }
  return problems;
}

/** The secret settings of each container, by reference only: a literal `value` of a secret key would be a secret in git. */
export function secretValueProblems(objects: K8sObject[], secretKeys: string[]): string[] {
  const problems: string[] = [];
  for (const { owner, spec } of podTemplates(objects)) {
    for (const container of spec?.containers ?? []) {
      for (const env of container.env ?? []) {
        if (secretKeys.includes(env.name) && !env.valueFrom?.secretKeyRef) {
          problems.push(`${id(owner)} container ${container.name}: ${env.name} is not from a secretKeyRef`);
        }
      }
    }
  }
  return problems;
}

/** No Secret is ever rendered: secrets are made outside git (k8s/example-secret.yaml shows the shape). */
export const secretProblems = (objects: K8sObject[]): string[] =>
  objects.filter((object) => object.kind === 'Secret').map((object) => `${id(object)}: a Secret is rendered`);

export const allProblems = (objects: K8sObject[]): string[] => [
  ...containerProblems(objects),
  ...selectorProblems(objects),
  ...cronJobProblems(objects),
  ...secretProblems(objects),
];

/** The Service an Ingress sends a path to: Exact matches first, then the longest Prefix (as the Ingress spec says). */
export function ingressBackend(objects: K8sObject[], requestPath: string): string | undefined {
  const routes = objects
    .filter((object) => object.kind === 'Ingress')
    .flatMap((ingress) => (ingress.spec?.rules ?? []).flatMap((rule: any) => rule.http?.paths ?? []));
  const exact = routes.find((route: any) => route.pathType === 'Exact' && route.path === requestPath);
  if (exact) return exact.backend.service.name;
  const prefix = routes
    .filter(
      (route: any) =>
        route.pathType === 'Prefix' &&
        (route.path === '/' || requestPath === route.path || requestPath.startsWith(`${route.path.replace(/\/$/, '')}/`)),
    )
    .sort((a: any, b: any) => b.path.length - a.path.length)[0];
  return prefix?.backend.service.name;
}
