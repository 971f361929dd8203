// The build step of the Dockerfile (build stage only; run as `node --import tsx deploy/image/build.mjs [outDir]`):
// - bundles each process's TypeScript entry into one ESM file, so the image runs plain `node`
//   and needs neither tsx nor TypeScript at run time. Packages stay external: the final stage
//   installs them with `npm ci --omit=dev`; only our own code (and the generated Prisma client)
//   is bundled. Source maps keep stack traces pointing at the .ts files.
// - writes the prebuilt workflow bundle (WORKFLOW_BUNDLE_PATH), so the worker starts without webpack.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { writeWorkflowBundle } from '../../workers/workflow-bundle.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const outDir = path.resolve(root, process.argv[2] ?? 'dist');

export const ENTRY_POINTS = {
  gateway: 'api/gateway/server.ts',
  inventory: 'api/inventory/server.ts',
  worker: 'workers/main.ts',
  migrate: 'scripts/migrate.ts',
  clients: 'scripts/clients.ts',
  // One bundle for both commands: its first argument is `backup` or `restore-drill`.
  backup: 'backup/cli.ts',
};

const started = Date.now();
await build({
  absWorkingDir: root,
  entryPoints: Object.fromEntries(Object.entries(ENTRY_POINTS).map(([name, entry]) => [name, path.join(root, entry)])),
  outdir: outDir,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  packages: 'external',
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
});
const bundle = await writeWorkflowBundle(outDir);
console.log(
  `[build] ${Object.keys(ENTRY_POINTS).join(', ')} and ${path.relative(root, bundle)} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
);
