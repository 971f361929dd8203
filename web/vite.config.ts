import { fileURLToPath } from 'node:url';
import { vitePlugin as remix } from '@remix-run/dev';
import { defineConfig } from 'vite';

declare module '@remix-run/node' {
  // Loaders' data keeps its types over single fetch (turbo-stream), not JSON's.
  interface Future {
    v3_singleFetch: true;
  }
}

const webDir = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: webDir,
  plugins: [
    remix({
      appDirectory: `${webDir}app`,
      // The e2e tests build into a folder of their own, leaving a developer's build alone.
      buildDirectory: process.env.WEB_BUILD_DIR ?? `${webDir}build`,
      // Tests sit beside the routes they test.
      ignoredRouteFiles: ['**/*.test.*'],
      future: {
        v3_fetcherPersist: true,
        v3_relativeSplatPath: true,
        v3_throwAbortReason: true,
        v3_singleFetch: true,
        v3_lazyRouteDiscovery: true,
      },
    }),
  ],
});
