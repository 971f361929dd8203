/**
 * The variants of k8s/ the tests check: each overlay alone, and with every component it does
 * not include already (as a user adds them: same namespace), rendered by kustomize
 * (.tools/bin/kustomize, from scripts/provision/k8s-tools.sh). tests/unit/k8s-manifests.test.ts
 * validates them with kubeconform, the deployment suite dry-runs them on a kube-apiserver.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { type K8sObject, parseObjects } from './k8s-manifests';

const ROOT = path.resolve(import.meta.dirname, '../..');
export const K8S = path.join(ROOT, 'k8s');
const KUSTOMIZE = process.env.KUSTOMIZE_PATH ?? path.join(ROOT, '.tools/bin/kustomize');

export interface RenderedVariant {
  name: string;
  text: string;
  objects: K8sObject[];
}

function kustomizeBuild(dir: string): string {
  if (!fs.existsSync(KUSTOMIZE)) throw new Error(`${KUSTOMIZE} not found: run \`bash scripts/provision/k8s-tools.sh\``);
  const result = spawnSync(KUSTOMIZE, ['build', dir], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`kustomize build ${path.relative(ROOT, dir)} failed:\n${result.stdout}${result.stderr}`);
  return result.stdout;
}

/** A kustomization in `workDir` that adds to the overlay every component it lacks. */
function withAllComponents(overlay: string, workDir: string): string {
  const dir = path.join(K8S, 'overlays', overlay);
  const kustomization = parse(fs.readFileSync(path.join(dir, 'kustomization.yaml'), 'utf8')) as {
    namespace?: string;
    components?: string[];
  };
  const included = new Set((kustomization.components ?? []).map((component) => path.resolve(dir, component)));
  const wrapper = path.join(workDir, `${overlay}-all`);
  fs.mkdirSync(wrapper, { recursive: true });
  // kustomize accepts relative paths only.
  const relative = (target: string) => path.relative(wrapper, target);
  const extra = components()
    .map((name) => path.join(K8S, 'components', name))
    .filter((component) => !included.has(component));
  fs.writeFileSync(
    path.join(wrapper, 'kustomization.yaml'),
    [
      'apiVersion: kustomize.config.k8s.io/v1beta1',
      'kind: Kustomization',
      `namespace: ${kustomization.namespace}`,
      'resources:',
      `  - ${relative(dir)}`,
      'components:',
      ...extra.map((component) => `  - ${relative(component)}`),
      '',
    ].join('\n'),
  );
  return wrapper;
}

export const overlays = (): string[] => fs.readdirSync(path.join(K8S, 'overlays')).sort();
export const components = (): string[] => fs.readdirSync(path.join(K8S, 'components')).sort();
const allComponents = (overlay: string) => `${overlay} + all components`;

/** The variants' names, in order: `<overlay>`, `<overlay> + all components`, for every overlay. */
export const variantNames = (): string[] => overlays().flatMap((overlay) => [overlay, allComponents(overlay)]);

/** Every variant rendered, in the order of `variantNames`; `workDir` holds the wrapper kustomizations. */
export function renderVariants(workDir: string): RenderedVariant[] {
  return overlays().flatMap((overlay) =>
    [
      { name: overlay, dir: path.join(K8S, 'overlays', overlay) },
      { name: allComponents(overlay), dir: withAllComponents(overlay, workDir) },
    ].map(({ name, dir }) => {
      const text = kustomizeBuild(dir);
      return { name, text, objects: parseObjects(text) };
    }),
  );
}
