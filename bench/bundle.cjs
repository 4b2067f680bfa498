// How a bundle's size is measured, shared by `.size-limit.cjs` (the regression guard, plain CommonJS
// for size-limit) and `bench/sizes.ts` (the bench table): what an app adds to its bundle is a tiny
// entry re-exporting what it uses, bundled by esbuild (minified, production, code splitting for lazy
// imports) with React, react-dom and react-query left out, then gzip -9 per output file (as
// @size-limit/file counts). Output files reachable from the entry through static imports are its
// size; those behind `import()` are lazy.
const { gzipSync } = require('node:zlib');

/** Peers of every library measured: an app has them already. */
const SHARED_PEERS = [
  'react',
  'react-dom',
  'react/*',
  'react-dom/*',
  '@tanstack/react-query',
  '@tanstack/react-query/*',
];

/**
 * esbuild options bundling `entryFile` into `outdir`; `external` is left out beyond the shared peers,
 * bare names resolve from `nodeModules`.
 * @param {{ entryFile: string; outdir: string; absWorkingDir: string; nodeModules: string; external?: string[] }} spec
 */
function bundleOptions({ entryFile, outdir, absWorkingDir, nodeModules, external = [] }) {
  return /** @type {const} */ ({
    entryPoints: [entryFile],
    absWorkingDir,
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
    external: [...SHARED_PEERS, ...external],
    define: { 'process.env.NODE_ENV': '"production"' },
    // A stylesheet imported by a library is not JavaScript; stylesheets are counted apart.
    loader: { '.css': 'empty' },
  });
}

/**
 * The JavaScript output files of a build, as esbuild's metafile names them (relative to the working
 * directory): those loaded with the entry and those behind `import()`.
 * @param {{ outputs: Record<string, { entryPoint?: string; imports: Array<{ path: string; kind: string; external?: boolean }> }> }} metafile
 */
function eagerAndLazy(metafile) {
  const outputs = metafile.outputs;
  // Every import() target is an entry point of esbuild's too, even one whose importer was shaken off:
  // the root is the tiny entry this file's callers write, named `<name>.entry.js`.
  const root = Object.keys(outputs).find((path) => outputs[path].entryPoint?.endsWith('.entry.js'));
  if (!root) throw new Error('esbuild gave no output for the <name>.entry.js entry');
  const eager = new Set();
  const visit = (/** @type {string} */ path) => {
    if (eager.has(path) || !outputs[path]) return;
    eager.add(path);
    for (const imported of outputs[path].imports)
      if (imported.kind === 'import-statement' && !imported.external) visit(imported.path);
  };
  visit(root);
  const js = Object.keys(outputs).filter((path) => path.endsWith('.js'));
  return { eager: js.filter((path) => eager.has(path)), lazy: js.filter((path) => !eager.has(path)) };
}

/** @param {Uint8Array | string} bytes */
const gzipSize = (bytes) => gzipSync(bytes, { level: 9 }).length;

module.exports = { SHARED_PEERS, bundleOptions, eagerAndLazy, gzipSize };
