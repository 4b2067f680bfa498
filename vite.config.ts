import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { storybookTest } from '@storybook/addon-vitest/vitest-plugin';
import { playwright } from '@vitest/browser-playwright';
import react from '@vitejs/plugin-react';
import type { Alias, Plugin } from 'vite';
import { defineConfig } from 'vitest/config';
import { CHROMIUM, CHROMIUM_ARGS } from './test/support/chromium.ts';
import { liveTestPort } from './test/support/ports.ts';

const external = [
  /^react($|\/)/,
  /^react-dom($|\/)/,
  /^@tanstack\/react-query($|\/)/,
  /^react-dropzone($|\/)/,
  /^hash-wasm($|\/)/,
];

/** The stylesheet ships beside the code as `styles.css`; no component imports it. */
const stylesheet: Plugin = {
  name: 'rtu-stylesheet',
  apply: 'build',
  generateBundle() {
    this.emitFile({
      type: 'asset',
      fileName: 'styles.css',
      source: readFileSync('src/components/ThumbnailUploader.css', 'utf8'),
    });
  },
};

/**
 * React 18 and the @testing-library/react that renders with it, installed in test/react18/fixture/
 * by scripts/ensure-react18.sh: beside the repository's React 19, since one install would clash.
 */
const REACT18_MODULES = fileURLToPath(new URL('./test/react18/fixture/node_modules/', import.meta.url));
const react18: Alias[] = [
  { find: /^react(\/.*)?$/, replacement: `${REACT18_MODULES}react$1` },
  { find: /^react-dom(\/.*)?$/, replacement: `${REACT18_MODULES}react-dom$1` },
  { find: /^@testing-library\/react$/, replacement: `${REACT18_MODULES}@testing-library/react` },
];

/** The tests of everything that renders: src/react and src/components, and server rendering. */
const reactTests = [
  'test/components/**/*.test.{ts,tsx}',
  'test/react/**/*.test.{ts,tsx}',
  'test/ssr/**/*.test.{ts,tsx}',
];

// Chosen once, before the stories are compiled with it (see test/support/ports.ts).
const livePort = await liveTestPort();

export default defineConfig({
  plugins: [react(), stylesheet],
  publicDir: 'public',
  build: {
    copyPublicDir: false,
    lib: {
      entry: { index: 'src/index.ts', core: 'src/core/index.ts' },
      formats: ['es'],
    },
    rollupOptions: {
      external,
      output: {
        // Bundlers drop a module-level "use client"; put it back on the React entry only.
        banner: (chunk) => (chunk.name === 'index' ? "'use client';" : ''),
      },
    },
  },
  test: {
    // Two cores: at most two test files at once, whatever the layer.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          environment: 'jsdom',
          setupFiles: ['test/setup.ts'],
          include: ['test/**/*.test.{ts,tsx}'],
          exclude: ['**/node_modules/**', 'test/e2e/**', 'test/browser/**'],
          globals: true,
          provide: { reactMajor: '19' },
        },
      },
      {
        extends: true,
        // Aliases reach only modules that Vite transforms: the packages that import React themselves are
        // inlined, so their `react` is React 18 too; react-dom and Testing Library, loaded by Node from
        // test/react18/fixture/node_modules, find React 18 beside them. A new dependency that imports
        // React goes in `inline` too, or test/react18/reactVersion.test.tsx fails with two Reacts.
        resolve: { alias: react18 },
        test: {
          name: 'unit-react18',
          environment: 'jsdom',
          setupFiles: ['test/setup.ts'],
          globalSetup: ['test/react18/installReact18.ts'],
          include: [...reactTests, 'test/react18/**/*.test.{ts,tsx}'],
          exclude: ['**/node_modules/**'],
          globals: true,
          provide: { reactMajor: '18' },
          server: { deps: { inline: [/@tanstack\/react-query/, /react-dropzone/] } },
        },
      },
      {
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['test/e2e/**/*.test.ts'],
          globals: true,
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.{ts,tsx}'],
          globals: true,
          browser: {
            enabled: true,
            headless: true,
            provider: playwright({ launchOptions: { executablePath: CHROMIUM, args: CHROMIUM_ARGS } }),
            instances: [{ browser: 'chromium' }],
          },
        },
      },
      {
        extends: true,
        plugins: [storybookTest({ configDir: '.storybook', disableAddonDocs: true })],
        // The Live stories upload to the real reference server that the global setup starts, and must.
        define: {
          'import.meta.env.STORYBOOK_UPLOAD_URL': JSON.stringify(`http://127.0.0.1:${livePort}`),
          'import.meta.env.STORYBOOK_LIVE_REQUIRED': JSON.stringify('true'),
        },
        test: {
          name: 'storybook',
          globalSetup: ['test/support/liveServerSetup.ts'],
          browser: {
            enabled: true,
            headless: true,
            provider: playwright({ launchOptions: { executablePath: CHROMIUM, args: CHROMIUM_ARGS } }),
            instances: [{ browser: 'chromium' }],
          },
        },
      },
    ],
  },
});
