// @vitest-environment node
// (esbuild refuses jsdom's TextEncoder.)
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

/** What a page that imports `name` from src/index.ts ships, minified as an app's bundler would. */
async function bundleOf(name: string): Promise<string> {
  const { outputFiles } = await build({
    stdin: { contents: `export { ${name} } from './src';`, resolveDir: REPO, loader: 'ts' },
    bundle: true,
    write: false,
    format: 'esm',
    minify: true,
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"production"' },
    external: ['react', 'react/*', 'react-dom', 'react-dom/*', '@tanstack/react-query', 'react-dropzone', 'hash-wasm'],
    loader: { '.css': 'empty' },
    // Vite's `?worker` and `?raw` imports (the image and pdf.js workers) are Vite's to build, and the same for any page.
    plugins: [
      {
        name: 'vite-workers',
        setup: (on) => on.onResolve({ filter: /\?(worker|raw)/ }, ({ path }) => ({ path, external: true })),
      },
    ],
  });
  return outputFiles.map((file) => file.text).join('\n');
}

describe('what a page ships', () => {
  it('an attachment-only page carries none of the thumbnail widget’s labels', async () => {
    const attachment = await bundleOf('AttachmentUploader');
    expect(attachment).toContain('Attachment upload');
    const thumbnailLabels = ['Thumbnail upload', 'Choose image', 'Uploaded thumbnail of'];
    expect(thumbnailLabels.filter((label) => attachment.includes(label))).toEqual([]);
  });
});
