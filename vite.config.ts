import { readFileSync } from 'node:fs';
import react from '@vitejs/plugin-react';
import type { Plugin } from 'vite';
import { defineConfig } from 'vitest/config';

const peers = [/^react($|\/)/, /^react-dom($|\/)/, /^@tanstack\/react-query($|\/)/, /^react-dropzone($|\/)/, /^hash-wasm($|\/)/];

/** The stylesheet ships beside the code as `styles.css`; no component imports it. */
const stylesheet: Plugin = {
  name: 'rtu-stylesheet',
  apply: 'build',
  generateBundle() {
    this.emitFile({ type: 'asset', fileName: 'styles.css', source: readFileSync('src/components/ThumbnailUploader.css', 'utf8') });
  },
};

export default defineConfig({
  plugins: [react(), stylesheet],
  publicDir: 'public',
  build: {
    copyPublicDir: false,
    sourcemap: true,
    lib: {
      entry: { index: 'src/index.ts', core: 'src/core/index.ts' },
      formats: ['es'],
    },
    rollupOptions: {
      external: peers,
      output: {
        // Bundlers drop a module-level "use client"; put it back on the React entry only.
        banner: (chunk) => (chunk.name === 'index' ? "'use client';" : ''),
      },
    },
  },
  test: {
    environment: 'jsdom',
    setupFiles: ['test/setup.ts'],
    include: ['test/**/*.test.{ts,tsx}'],
    globals: true,
    pool: 'threads',
    maxWorkers: 2,
  },
});
