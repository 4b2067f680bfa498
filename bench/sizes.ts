/**
 * What an app adds to its bundle, per library: a tiny entry that re-exports what an app uses,
 * bundled by esbuild (minified, production, code splitting for lazy imports) with React, react-dom
 * and react-query left out, then gzip -9 per output file (as @size-limit/file counts). Output files
 * reachable from the entry through static imports are its size; those behind `import()` are lazy.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, transform } from 'esbuild';
import { build as viteBuild } from 'vite';

/** Peers of every library measured here: an app has them already. */
export const SHARED_PEERS = [
  'react',
  'react-dom',
  'react/*',
  'react-dom/*',
  '@tanstack/react-query',
  '@tanstack/react-query/*',
];

export interface BundleFigure {
  name: string;
  /** gzip bytes of the entry and its static chunks: what loads with the page. */
  staticGzip: number;
  /** gzip bytes of the chunks behind `import()`. */
  lazyGzip: number;
  files: Array<{ file: string; minified: number; gzip: number; lazy: boolean }>;
}

export interface BundleSpec {
  name: string;
  /** ES module source of the entry: `export { … } from '…'`. */
  entry: string;
  /** Left out beyond the shared peers. */
  external?: string[];
}

export const gzipSize = (bytes: Uint8Array | string) => gzipSync(bytes, { level: 9 }).length;

export async function measureBundle(spec: BundleSpec, work: string, nodeModules: string): Promise<BundleFigure> {
  const slug = spec.name.replace(/[^a-z0-9]+/gi, '-').toLowerCase();
  const entryFile = join(work, `${slug}.entry.js`);
  const outdir = join(work, slug);
  await mkdir(work, { recursive: true });
  await writeFile(entryFile, spec.entry);
  const result = await build({
    entryPoints: [entryFile],
    absWorkingDir: work,
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    metafile: true,
    write: true,
    logLevel: 'silent',
    nodePaths: [nodeModules],
    external: [...SHARED_PEERS, ...(spec.external ?? [])],
    define: { 'process.env.NODE_ENV': '"production"' },
    // A stylesheet imported by a library is not JavaScript; stylesheets are counted apart.
    loader: { '.css': 'empty' },
  });
  const outputs = result.metafile.outputs;
  const root = Object.keys(outputs).find((path) => outputs[path]!.entryPoint !== undefined);
  if (!root) throw new Error(`esbuild gave no entry output for ${spec.name}`);
  const eager = new Set<string>();
  const visit = (path: string) => {
    if (eager.has(path) || !outputs[path]) return;
    eager.add(path);
    for (const imported of outputs[path]!.imports)
      if (imported.kind === 'import-statement' && !imported.external) visit(imported.path);
  };
  visit(root);
  const files = await Promise.all(
    Object.keys(outputs)
      .filter((path) => path.endsWith('.js'))
      .map(async (path) => {
        const bytes = await readFile(join(work, path));
        return { file: path, minified: bytes.length, gzip: gzipSize(bytes), lazy: !eager.has(path) };
      }),
  );
  return {
    name: spec.name,
    staticGzip: files.filter((file) => !file.lazy).reduce((sum, file) => sum + file.gzip, 0),
    lazyGzip: files.filter((file) => file.lazy).reduce((sum, file) => sum + file.gzip, 0),
    files,
  };
}

/** gzip bytes of stylesheets, minified by esbuild. */
export async function stylesheetGzip(paths: string[]): Promise<number> {
  let total = 0;
  for (const path of paths) {
    const { code } = await transform(await readFile(path, 'utf8'), {
      loader: 'css',
      minify: true,
      sourcefile: basename(path),
    });
    total += gzipSize(code);
  }
  return total;
}

/**
 * The same entry bundled by Vite (as an app built with Vite gets it): Rollup-style tree-shaking of
 * `const { createMD5 } = await import('hash-wasm')` keeps only what is destructured, esbuild keeps all.
 */
export async function measureWithVite(
  spec: BundleSpec,
  work: string,
): Promise<Pick<BundleFigure, 'staticGzip' | 'lazyGzip'>> {
  const slug = `${spec.name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}-vite`;
  const entryFile = join(work, `${slug}.entry.js`);
  await mkdir(work, { recursive: true });
  await writeFile(entryFile, spec.entry);
  const output = await viteBuild({
    root: work,
    configFile: false,
    envFile: false,
    logLevel: 'silent',
    cacheDir: join(work, 'vite-cache'),
    build: {
      write: false,
      minify: true,
      lib: { entry: entryFile, formats: ['es'] },
      rollupOptions: {
        external: (id) =>
          SHARED_PEERS.some((peer) => (peer.endsWith('/*') ? id.startsWith(peer.slice(0, -1)) : id === peer)) ||
          (spec.external ?? []).includes(id),
      },
    },
  });
  const chunks = (Array.isArray(output) ? output : [output])
    .flatMap((bundle) => ('output' in bundle ? bundle.output : []))
    .filter((item) => item.type === 'chunk');
  const byName = new Map(chunks.map((chunk) => [chunk.fileName, chunk]));
  const eager = new Set<string>();
  const visit = (fileName: string) => {
    const chunk = byName.get(fileName);
    if (!chunk || eager.has(fileName)) return;
    eager.add(fileName);
    chunk.imports.forEach(visit);
  };
  chunks.filter((chunk) => chunk.isEntry).forEach((chunk) => visit(chunk.fileName));
  const sum = (lazy: boolean) =>
    chunks
      .filter((chunk) => eager.has(chunk.fileName) !== lazy)
      .reduce((total, chunk) => total + gzipSize(chunk.code), 0);
  return { staticGzip: sum(false), lazyGzip: sum(true) };
}
