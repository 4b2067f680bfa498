// Size limits of the built package, checked by `size-limit` after `npm run build`, offline, with
// @size-limit/file. Measured as `npm run bench` measures them (bench/bundle.cjs: a tiny entry importing
// what an app uses from dist/ through package.json's `exports`, bundled and minified by esbuild with
// React, react-dom and react-query left out, gzip -9 per output file). Code behind `import()` (the
// MD5 and the image pipeline with its worker) is emitted in its own chunks and counted apart. The
// bundles are written to a fixed folder under the system temp dir, replaced on every run.
const { buildSync } = require('esbuild');
const { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join, resolve } = require('node:path');
const { bundleOptions, eagerAndLazy, gzipSize } = require('./bench/bundle.cjs');

const OUT = join(tmpdir(), 'react-thumbnail-uploader-size-limit');

const index = join(__dirname, 'dist/index.js');
if (!existsSync(index)) throw new Error('size-limit measures dist/: run `npm run build` first.');
if (readFileSync(index, 'utf8').includes('jsx-dev-runtime')) {
  throw new Error(
    'dist/ was built in development mode (it imports react/jsx-dev-runtime): run `NODE_ENV=production npm run build`.',
  );
}

/** Bundles `entry`; gives the output files loaded with it (static) and those behind import() (lazy). */
function bundle(name, entry, external = []) {
  mkdirSync(OUT, { recursive: true });
  const entryFile = join(OUT, `${name}.entry.js`);
  writeFileSync(entryFile, entry);
  const options = bundleOptions({
    entryFile,
    outdir: join(OUT, name),
    absWorkingDir: __dirname,
    nodeModules: join(__dirname, 'node_modules'),
    external,
  });
  const { metafile } = buildSync(options);
  const { eager, lazy } = eagerAndLazy(metafile);
  const absolute = (paths) => paths.map((path) => resolve(__dirname, path));
  // pdf.js and its worker: the lazy output holding dist/pdfPage-*.js, loaded only for a PDF; libheif, the
  // output holding dist/heic-*.js, loaded only for a HEIC photo the browser cannot decode.
  const holds = (chunk) => (path) => Object.keys(metafile.outputs[path].inputs).some((input) => chunk.test(input));
  const isPdf = holds(/pdfPage-[^/]*\.js$/);
  const isHeic = holds(/heic-[^/]*\.js$/);
  return {
    static: absolute(eager),
    lazy: absolute(lazy.filter((path) => !isPdf(path) && !isHeic(path))),
    pdf: absolute(lazy.filter(isPdf)),
    heic: absolute(lazy.filter(isHeic)),
  };
}

const gzip = (files) => files.reduce((sum, file) => sum + gzipSize(readFileSync(file)), 0);

rmSync(OUT, { recursive: true, force: true });
// Resolved by name, as an app does: package.json's `exports` lead to dist/.
const widgetPath = JSON.stringify(require.resolve('react-thumbnail-uploader'));
const corePath = JSON.stringify(require.resolve('react-thumbnail-uploader/core'));
const testingPath = JSON.stringify(require.resolve('react-thumbnail-uploader/testing'));
// The widget as the README shows it: esbuild keeps only what these two need of dist/index.js.
const widgetEntry = `export { UploaderProvider, ThumbnailUploader } from ${widgetPath};\n`;
// An app using the core without React imports uploadThumbnail (and perhaps UploadError, a class it
// needs anyway): that is the goal's measure. Other helpers exported by core (uploadMedia for media
// files, prepareImage, md5Hex…) cost only the apps that import them; all of core is shown apart.
const coreEntry = `export { uploadThumbnail } from ${corePath};\n`;
const widget = bundle('widget-all-in', widgetEntry);
const own = bundle('widget-own-code', widgetEntry, ['react-dropzone', 'file-selector', 'hash-wasm']);
const core = bundle('core-upload-thumbnail', coreEntry);
const coreAll = bundle('core-everything', `export * from ${corePath};\n`);
// An app's tests import it, never its pages; msw is the app's own (a dev dependency).
const testing = bundle('testing', `export { mockUploadApi } from ${testingPath};\n`, ['msw']);
const attachment = bundle('attachment', `export { UploaderProvider, AttachmentUploader } from ${widgetPath};\n`);
const uploady = bundle(
  'react-uploady',
  ['uploady', 'upload-drop-zone', 'upload-preview', 'upload-button']
    .map((name, i) => `export { default as P${i} } from '@rpldy/${name}';`)
    .join('\n'),
);
// The goals are 10 kB all-in (and at most 0.66 times react-uploady: uploady + drop zone + preview +
// button, bundled alike), 4 kB of our own code and 3 kB for core; `npm run bench` prints them beside
// the figures. They are not met yet (issues 6 and 12): until they are, these limits sit just above
// today's sizes (2026-12-02: the upload machine, createUploader, costs the widget about 0.8 kB more
// than the hook it replaced; core lost its English sentences to the React labels and its file check
// to a lazy chunk; issue 13's focus keeper, which finds a list item's neighbour, and the one token
// refresh shared by a queue's 401s added about 0.2 kB; 2026-12-03: the cached number formatters that keep a
// long list's renders light, about 40 B; issue 15's wait for the connection, about 140 B; the parts' sender
// moved to a lazy chunk, which takes 0.9 kB off AttachmentUploader but adds about 270 B here: esbuild
// treats every import() as an entry point, and the helpers the parts' sender shares with the rest of
// core then stay in the shared chunk even for an app that never sends a file in parts; 2026-12-03: the
// dropzone's files get their sizes read a few per task, so that a drop of 30 photos holds the page no
// task over 50 ms, about 90 B; issue 15's resume after a reload, about 25 B for Cancel telling the task to
// forget a saved upload, its IndexedDB store being in the parts' lazy chunk), so that nothing grows unnoticed. Lower them
// as the code shrinks.
const GOAL_ALL_IN = Math.min(10_000, Math.floor(0.66 * gzip(uploady.static)));
// The content hashes in the chunks' file names also move the gzip size by a few bytes whenever any chunk changes.
const allInLimit = Math.max(GOAL_ALL_IN, 16_650);

module.exports = [
  {
    name: 'widget all-in: UploaderProvider + ThumbnailUploader from dist/index.js + chunks + react-dropzone (min + gzip)',
    path: widget.static,
    limit: `${allInLimit} B`,
    gzip: true,
  },
  {
    name: 'widget, our own code: the same without react-dropzone (min + gzip)',
    path: own.static,
    limit: '10.4 kB',
    gzip: true,
  },
  {
    name: 'core: uploadThumbnail from dist/core.js + chunks (min + gzip)',
    path: core.static,
    limit: '3.75 kB',
    gzip: true,
  },
  {
    // Issue 13's goal: the attachment list all-in within 20 kB, pdf.js (lazy) counted apart.
    name: 'AttachmentUploader: what an app adds importing it with UploaderProvider (min + gzip)',
    path: attachment.static,
    limit: '20 kB',
    gzip: true,
  },
  { name: 'core, everything it exports (min + gzip, no limit)', path: coreAll.static, gzip: true },
  {
    // Not in any figure above: no widget entry imports it (the widget's files are the same with or without it).
    name: 'testing: mockUploadApi from dist/testing.js, msw left out (min + gzip)',
    path: testing.static,
    limit: '3 kB',
    gzip: true,
  },
  {
    name: 'loaded lazily: the MD5 (hash-wasm, slice reader), the image pipeline with its worker, the video frame and the generated picture (min + gzip, counted apart, no limit)',
    path: coreAll.lazy,
    gzip: true,
  },
  {
    name: 'loaded lazily when a PDF is attached: pdf.js and its worker, for the first page (min + gzip, counted apart, no limit)',
    path: attachment.pdf,
    gzip: true,
  },
  {
    name: 'loaded lazily when a HEIC photo is chosen in a browser that cannot decode it (all but Safari): libheif, LGPL-3.0, its WebAssembly inlined (min + gzip, counted apart, no limit)',
    path: coreAll.heic,
    gzip: true,
  },
];
