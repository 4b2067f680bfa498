/**
 * What an app adds to its bundle, per library, measured as bench/bundle.cjs says (the same measure
 * as `.size-limit.cjs`); and, for comparison, the same entry bundled by Vite.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { build, transform } from 'esbuild';
import { build as viteBuild } from 'vite';
import { SHARED_PEERS, bundleOptions, eagerAndLazy, gzipSize } from './bundle.cjs';

export { gzipSize };

export interface BundleFigure {
  name: string;
  /** gzip bytes of the entry and its static chunks: what loads with the page. */
  staticGzip: number;
  /** gzip bytes of the chunks behind `import()`. */
  lazyGzip: number;
  /** The part of `lazyGzip` loaded only for a PDF: pdf.js and its worker. */
  pdfGzip: number;
  /** The part of `lazyGzip` loaded only for a HEIC photo the browser cannot decode: libheif. */
  heicGzip: number;
  files: Array<{ file: string; minified: number; gzip: number; lazy: boolean; pdf: boolean; heic: boolean }>;
}

/** Whether an output holds our dist/pdfPage-*.js, the chunk with pdf.js and its worker. */
const holdsPdfJs = (inputs: string[]) => inputs.some((input) => /pdfPage-[^/]*\.js$/.test(input));
/** Whether an output holds our dist/heic-*.js, the chunk with libheif. */
const holdsLibheif = (inputs: string[]) => inputs.some((input) => /heic-[^/]*\.js$/.test(input));

export interface BundleSpec {
  name: string;
  /** ES module source of the entry: `export { … } from '…'`. */
  entry: string;
  /** Left out beyond the shared peers. */
  external?: string[];
}

export async function measureBundle(spec: BundleSpec, work: string, nodeModules: string): Promise<BundleFigure> {
  const slug = spec.name.replace(/[^a-z0-9]+/gi, '-').toLowerCase();
  const entryFile = join(work, `${slug}.entry.js`);
  await mkdir(work, { recursive: true });
  await writeFile(entryFile, spec.entry);
  const result = await build(
    bundleOptions({ entryFile, outdir: join(work, slug), absWorkingDir: work, nodeModules, external: spec.external }),
  );
  const { lazy } = eagerAndLazy(result.metafile);
  const files = await Promise.all(
    Object.keys(result.metafile.outputs)
      .filter((path) => path.endsWith('.js'))
      .map(async (path) => {
        const bytes = await readFile(join(work, path));
        const inputs = Object.keys(result.metafile.outputs[path]!.inputs);
        const [pdf, heic] = [holdsPdfJs(inputs), holdsLibheif(inputs)];
        return { file: path, minified: bytes.length, gzip: gzipSize(bytes), lazy: lazy.includes(path), pdf, heic };
      }),
  );
  return {
    name: spec.name,
    staticGzip: files.filter((file) => !file.lazy).reduce((sum, file) => sum + file.gzip, 0),
    lazyGzip: files.filter((file) => file.lazy).reduce((sum, file) => sum + file.gzip, 0),
    pdfGzip: files.filter((file) => file.lazy && file.pdf).reduce((sum, file) => sum + file.gzip, 0),
    heicGzip: files.filter((file) => file.lazy && file.heic).reduce((sum, file) => sum + file.gzip, 0),
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
): Promise<Pick<BundleFigure, 'staticGzip' | 'lazyGzip' | 'pdfGzip' | 'heicGzip'>> {
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
  const sum = (lazy: boolean, only?: (moduleIds: string[]) => boolean) =>
    chunks
      .filter((chunk) => eager.has(chunk.fileName) !== lazy && (!only || only(chunk.moduleIds)))
      .reduce((total, chunk) => total + gzipSize(chunk.code), 0);
  return {
    staticGzip: sum(false),
    lazyGzip: sum(true),
    pdfGzip: sum(true, holdsPdfJs),
    heicGzip: sum(true, holdsLibheif),
  };
}
