/**
 * `npm run bench`: our figures beside a baseline measured in the same run, printed as ratios with
 * the goal each must meet, and written to bench/results.json. Everything runs on this machine:
 * the package is built, a bench page bundled with Vite from it, served on loopback and driven in
 * Debian's Chromium; uploads go to the reference server on an ephemeral port with a temp data dir.
 *
 *   npm run bench                      every section
 *   npm run bench -- --only md5,sizes  some of them: sizes, md5, upload, prepare, blocking, memory
 *
 * Goals that are not met are printed as such; the exit code is 1 only when a measurement failed.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build } from 'vite';
import { startServer, type RunningServer } from '../server/app';
import { makePng } from '../test/fixtures';
import { CHROMIUM, CHROMIUM_ARGS } from '../test/support/chromium';
import { paddedJpeg, withExifOrientation } from './fixtures';
import { HeapSampler, type HeapPeak } from './heap';
import { rendererPeakDuring, type RssPeak } from './processMemory';
import type {
  BenchPage,
  BlockingFigure,
  ImageSpec,
  MediaUploadFigure,
  Method,
  PreparedFigure,
  UploadTarget,
} from './page/main';
import { serveBench, type BenchServer } from './servers';
import { measureBundle, measureWithVite, stylesheetGzip, type BundleFigure } from './sizes';
import { formatTable, goals, row, summary, type Figure, type Row } from './table';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const RESULTS = join(REPO, 'bench/results.json');
const SECTIONS = ['sizes', 'md5', 'upload', 'prepare', 'blocking', 'memory', 'chunked'] as const;
type Section = (typeof SECTIONS)[number];

/** The whole run is stopped past this, whatever it is doing. */
const HARD_LIMIT_MS = 8 * 60_000;
/** One call into the page. */
const STEP_LIMIT_MS = 90_000;
const TOKEN = 'bench-token';
const MiB = 1024 * 1024;
const BIG_BYTES = 64 * MiB;
const MAX_DIMENSION = 1024;
const QUALITY = 0.85;

const PHOTOS = {
  '12mp': {
    name: 'photo-12mp.jpg',
    label: '12 MP JPEG, EXIF orientation 6',
    width: 4000,
    height: 3000,
    orientation: 6,
    runs: 5,
  },
  '48mp': {
    name: 'photo-48mp.jpg',
    label: '48 MP JPEG, EXIF orientation 6',
    width: 8000,
    height: 6000,
    orientation: 6,
    runs: 5,
  },
  png: { name: 'alpha-12mp.png', label: '12 MP PNG with alpha', width: 4000, height: 3000, orientation: 1, runs: 5 },
} as const;
type Photo = (typeof PHOTOS)[keyof typeof PHOTOS];
const UPLOAD_FIXTURE = 'upload-64m.jpg';
/** A media sent in parts: made only when the `chunked` section runs. */
const MEDIA_FIXTURE = 'media-256m.bin';
const MEDIA_BYTES = 256 * MiB;
const PART_BYTES = 5 * MiB;
const RANDOM_FIXTURE = 'random-64m.bin';

interface Context {
  work: string;
  browser: Browser;
  bench: BenchServer;
  api: RunningServer;
  /** A page on the bench, kept for the warm measurements (prepare time, MD5, upload). */
  page: Page;
}

interface SectionResult {
  rows: Row[];
  details: Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------------
// Small helpers

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
const ms = (value: number): Figure => ({ value, unit: 'ms' });
const kB = (bytes: number): Figure => ({ value: bytes / 1000, unit: 'kB' });
const mbPerSecond = (bytes: number, milliseconds: number): Figure => ({
  value: bytes / 1e6 / (milliseconds / 1000),
  unit: 'MB/s',
});
const missing = (why: string): Figure => ({ missing: why });

function withTimeout<T>(promise: Promise<T>, limitMs: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${limitMs / 1000} s`)), limitMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Calls `window.bench[method](...args)` in the page, bounded in time. */
function call<K extends keyof BenchPage>(
  page: Page,
  method: K,
  ...args: Parameters<BenchPage[K]>
): Promise<Awaited<ReturnType<BenchPage[K]>>> {
  const run = page.evaluate(
    ([name, params]) => {
      const target = window.bench[name as keyof BenchPage] as (...values: unknown[]) => unknown;
      return target.apply(window.bench, params as unknown[]);
    },
    [method, args] as const,
  ) as Promise<Awaited<ReturnType<BenchPage[K]>>>;
  return withTimeout(run, STEP_LIMIT_MS, `bench.${String(method)}`);
}

function log(message: string) {
  process.stderr.write(`${message}\n`);
}

/** Milliseconds curl takes to post `path` with these `qq` fields to the upload endpoint in one request. */
async function curlUpload(apiUrl: string, path: string, type: string, fields: Record<string, string>): Promise<number> {
  const form = Object.entries(fields).flatMap(([name, value]) => ['--form', `qq${name}=${value}`]);
  const out = await run('curl', [
    '--silent',
    '--show-error',
    '--output',
    '/dev/null',
    '--write-out',
    '%{http_code} %{time_total}',
    // Browsers do not wait for 100 Continue; neither should curl.
    '--header',
    'Expect:',
    '--header',
    `Authorization: Bearer ${TOKEN}`,
    '--header',
    'Accept: application/json',
    ...form,
    '--form',
    `qqfile=@${path};type=${type};filename=${fields.filename}`,
    `${apiUrl}/api/v2/pm/upload/`,
  ]);
  const [status, seconds] = out.trim().split(' ');
  if (status !== '200') throw new Error(`curl got HTTP ${status}`);
  return Number(seconds) * 1000;
}

async function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)(command, args, { cwd: REPO, env, maxBuffer: 16 * MiB });
    return stdout;
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed:\n${stdout}\n${stderr}`, { cause: error });
  }
}

async function newBenchPage(context: Pick<Context, 'browser' | 'bench'>): Promise<Page> {
  const page = await (await context.browser.newContext()).newPage();
  page.on('pageerror', (error) => log(`  page error: ${error.message}`));
  await page.goto(`${context.bench.url}/`);
  await page.waitForFunction(() => 'bench' in window);
  return page;
}

async function closePage(page: Page) {
  await page.context().close();
}

/** Uploads a media the way an app does before its thumbnail, and gives its `file_uuid`. */
async function createMedia(api: RunningServer): Promise<string> {
  const body = new FormData();
  body.append('qqfile', new Blob([makePng(8, 6)], { type: 'image/png' }), 'media.png');
  const answer = await fetch(`${api.url}/api/v2/pm/upload/`, {
    method: 'POST',
    body,
    headers: { Authorization: `Bearer ${TOKEN}`, Accept: 'application/json' },
  });
  if (answer.status !== 200)
    throw new Error(`Creating the parent media failed: HTTP ${answer.status} ${await answer.text()}`);
  return String(((await answer.json()) as { file_uuid: string }).file_uuid);
}

async function storedSize(api: RunningServer, uuid: string): Promise<number | undefined> {
  const metaDir = join(api.dataDir, 'meta');
  for (const name of await readdir(metaDir)) {
    if (!name.endsWith('.json') || name.startsWith('.')) continue;
    const record = JSON.parse(await readFile(join(metaDir, name), 'utf8')) as { uuid?: string; size?: number };
    if (record.uuid === uuid) return record.size;
  }
  return undefined;
}

/** Runs `measure` for each method in turn, `runs` times, alternating which goes first; after one warm-up each. */
async function alternate<T>(
  methods: readonly string[],
  runs: number,
  measure: (method: string) => Promise<T>,
): Promise<Record<string, T[]>> {
  const results: Record<string, T[]> = Object.fromEntries(methods.map((method) => [method, []]));
  for (const method of methods) await measure(method);
  for (let i = 0; i < runs; i += 1) {
    const order = i % 2 ? [...methods].reverse() : methods;
    for (const method of order) results[method]!.push(await measure(method));
  }
  return results;
}

// ---------------------------------------------------------------------------------------------
// Sections

async function sizesSection(work: string): Promise<SectionResult> {
  const sizesDir = join(work, 'sizes');
  const nodeModules = join(REPO, 'node_modules');
  // Resolved like an app resolves them: through package.json's `exports`, to dist/.
  const widgetEntry = fileURLToPath(import.meta.resolve('react-thumbnail-uploader'));
  const coreEntry = fileURLToPath(import.meta.resolve('react-thumbnail-uploader/core'));
  const widget = `export { UploaderProvider, ThumbnailUploader } from ${JSON.stringify(widgetEntry)};\n`;
  // As .size-limit.cjs explains: an app using core without React imports uploadThumbnail.
  const specs = {
    widget: { name: 'widget all-in', entry: widget },
    own: { name: 'widget own code', entry: widget, external: ['react-dropzone', 'hash-wasm'] },
    core: { name: 'core uploadThumbnail', entry: `export { uploadThumbnail } from ${JSON.stringify(coreEntry)};\n` },
    coreAll: { name: 'core entry', entry: `export * from ${JSON.stringify(coreEntry)};\n` },
    uploady: {
      name: 'react-uploady',
      entry: [
        "export { default as Uploady } from '@rpldy/uploady';",
        "export { default as UploadDropZone } from '@rpldy/upload-drop-zone';",
        "export { default as UploadPreview } from '@rpldy/upload-preview';",
        "export { default as UploadButton } from '@rpldy/upload-button';",
      ].join('\n'),
    },
    filepond: { name: 'filepond', entry: "export { FilePond } from 'react-filepond';\n" },
    uppy: {
      name: 'uppy',
      entry: [
        "export { default as Uppy } from '@uppy/core';",
        "export { default as Dashboard } from '@uppy/react/dashboard';",
        "export { default as XHRUpload } from '@uppy/xhr-upload';",
      ].join('\n'),
    },
    attachment: {
      name: 'attachment uploader',
      entry: `export { UploaderProvider, AttachmentUploader } from ${JSON.stringify(widgetEntry)};\n`,
    },
  };
  const figures: Record<string, BundleFigure> = {};
  for (const [key, spec] of Object.entries(specs)) figures[key] = await measureBundle(spec, sizesDir, nodeModules);
  const coreWithVite = await measureWithVite(specs.core, sizesDir);
  const css = {
    ours: await stylesheetGzip([join(REPO, 'dist/styles.css')]),
    filepond: await stylesheetGzip([join(nodeModules, 'filepond/dist/filepond.css')]),
    uppy: await stylesheetGzip([
      join(nodeModules, '@uppy/core/dist/style.css'),
      join(nodeModules, '@uppy/dashboard/dist/style.css'),
    ]),
  };
  const {
    widget: all,
    own,
    core,
    coreAll,
    uploady,
    filepond,
    uppy,
    attachment,
  } = figures as Record<keyof typeof specs, BundleFigure>;
  const section = 'bundle size, min + gzip, React / react-dom / react-query excluded';
  const allInWhat = 'Widget all-in: our code + react-dropzone';
  const cssNote =
    `Stylesheets, min + gzip, not in the figures: ours ${(css.ours / 1000).toFixed(2)} kB, react-uploady none (unstyled), ` +
    `FilePond ${(css.filepond / 1000).toFixed(2)} kB, Uppy (core + dashboard) ${(css.uppy / 1000).toFixed(2)} kB.`;
  const rows = [
    row(
      section,
      allInWhat,
      'react-uploady',
      kB(all.staticGzip),
      kB(uploady.staticGzip),
      goals.both(goals.oursAtMost(10, 'kB'), goals.ratioAtMost(0.66)),
      cssNote,
    ),
    row(section, allInWhat, 'FilePond + react-filepond', kB(all.staticGzip), kB(filepond.staticGzip)),
    row(section, allInWhat, 'Uppy core + React Dashboard + xhr-upload', kB(all.staticGzip), kB(uppy.staticGzip)),
    row(
      section,
      'Widget, our own code (dist/index.js + chunks)',
      '',
      kB(own.staticGzip),
      missing('—'),
      goals.oursAtMost(4, 'kB'),
    ),
    row(
      section,
      'core: uploadThumbnail (dist/core.js + chunks)',
      '',
      kB(core.staticGzip),
      missing('—'),
      goals.oursAtMost(3, 'kB'),
      `What an app using core without React imports. All of core (export *, uploadMedia included): ${(coreAll.staticGzip / 1000).toFixed(2)} kB.`,
    ),
    row(section, 'UploaderProvider + AttachmentUploader, all-in', '', kB(attachment.staticGzip), missing('—')),
    row(
      section,
      'Loaded lazily: MD5 (hash-wasm, slice reader) + image pipeline',
      '',
      kB(coreAll.lazyGzip),
      missing('—'),
      undefined,
      `Counted apart: loaded when the first image is sent. Bundled by Vite instead of esbuild: ` +
        `${(coreWithVite.lazyGzip / 1000).toFixed(2)} kB lazy, uploadThumbnail ${(coreWithVite.staticGzip / 1000).toFixed(2)} kB.`,
    ),
  ];
  return { rows, details: { bundles: figures, coreWithVite, stylesheetsGzip: css } };
}

async function md5Section(context: Context): Promise<SectionResult> {
  const { page } = context;
  const bytes = await readFile(join(context.work, 'fixtures', RANDOM_FIXTURE));
  await call(page, 'loadFixture', RANDOM_FIXTURE);
  const nativeRuns: number[] = [];
  let nativeHex = '';
  for (let i = 0; i < 4; i += 1) {
    const start = performance.now();
    nativeHex = createHash('md5').update(bytes).digest('hex');
    if (i > 0) nativeRuns.push(performance.now() - start);
  }
  const hexes = new Set<string>();
  const cdp = await page.context().newCDPSession(page);
  const load = loadavg()[0]!;
  const browserRuns = await alternate(['ours', 'spark-md5', 'read-only', 'hash-only'] as const, 3, async (method) => {
    await cdp.send('HeapProfiler.collectGarbage');
    const result = await call(page, 'md5', method as 'ours' | 'spark-md5' | 'read-only' | 'hash-only', RANDOM_FIXTURE);
    if (method !== 'read-only') hexes.add(result.hex);
    return result.ms;
  });
  await cdp.detach();
  if (hexes.size !== 1 || !hexes.has(nativeHex))
    throw new Error(`The MD5s differ: node ${nativeHex}, page ${[...hexes].join(', ')}`);
  const ours = median(browserRuns.ours!);
  const section = 'MD5 of 64 MiB of random bytes, in the page, read in 4 MiB slices (median of 3)';
  const readOnly = mbPerSecond(bytes.length, median(browserRuns['read-only']!)) as { value: number };
  const hashOnly = mbPerSecond(bytes.length, median(browserRuns['hash-only']!)) as { value: number };
  const native = mbPerSecond(bytes.length, median(nativeRuns)) as { value: number };
  const note =
    `Ours is dist core md5Hex; node:crypto hashes the same bytes already in memory. ` +
    `Reading the Blob's slices alone, hashing nothing: ${readOnly.value.toFixed(0)} MB/s; ` +
    `our hasher (hash-wasm) alone on the bytes already in memory, the ceiling of any way of reading: ` +
    `${hashOnly.value.toFixed(0)} MB/s (${(hashOnly.value / native.value).toFixed(2)}× node:crypto). ` +
    `Load average when the section started: ${load.toFixed(1)} on ${cpus().length} cores.`;
  return {
    rows: [
      row(
        section,
        'MD5 throughput, to the native limit',
        'node:crypto',
        mbPerSecond(bytes.length, ours),
        mbPerSecond(bytes.length, median(nativeRuns)),
        goals.ratioAtLeast(0.7),
        note,
      ),
      row(
        section,
        'MD5 throughput, to spark-md5',
        'spark-md5 ArrayBuffer',
        mbPerSecond(bytes.length, ours),
        mbPerSecond(bytes.length, median(browserRuns['spark-md5']!)),
        goals.ratioAtLeast(2),
      ),
    ],
    details: {
      bytes: bytes.length,
      md5: nativeHex,
      runsMs: { ...browserRuns, 'node:crypto': nativeRuns },
    },
  };
}

async function uploadSection(context: Context): Promise<SectionResult> {
  const { page, api } = context;
  const path = join(context.work, 'fixtures', UPLOAD_FIXTURE);
  const bytes = await readFile(path);
  const md5 = createHash('md5').update(bytes).digest('hex');
  const target: UploadTarget = { baseUrl: api.url, token: TOKEN, parentUuid: await createMedia(api) };
  await call(page, 'loadFixture', UPLOAD_FIXTURE);
  const whole: number[] = [];
  const sizes = new Set<number>();
  const runs = await alternate(['ours', 'curl'], 3, async (method) => {
    if (method === 'ours') {
      const figure = await call(page, 'upload', UPLOAD_FIXTURE, target, 80 * MiB);
      whole.push(figure.wholeMs);
      sizes.add((await storedSize(api, figure.fileUuid)) ?? -1);
      return figure.sendToAnswerMs;
    }
    return curlUpload(api.url, path, 'image/jpeg', {
      parentuuid: target.parentUuid,
      filename: 'upload.jpg',
      filetype: 'image/jpeg',
      totalfilesize: String(bytes.length),
      md5,
    });
  });
  const section = 'upload of a 64 MiB JPEG to the reference server on loopback (median of 3)';
  const sentAsIs = sizes.size === 1 && sizes.has(bytes.length);
  const note =
    `Ours: the built uploadThumbnail, timed from xhr.send() to its answer; the whole call (checks and MD5 first) took ${median(whole).toFixed(0)} ms.` +
    (sentAsIs
      ? ''
      : ` The server stored ${[...sizes].join(', ')} bytes, not the ${bytes.length} given: ours did not send the file as it is.`);
  return {
    rows: [
      row(
        section,
        'Upload throughput, send → answer',
        'curl -F',
        mbPerSecond(bytes.length, median(runs.ours!)),
        mbPerSecond(bytes.length, median(runs.curl!)),
        goals.ratioAtLeast(0.8),
        note,
      ),
    ],
    details: { bytes: bytes.length, runsMs: runs, wholeCallMs: whole, storedSizes: [...sizes] },
  };
}

function checkShape(figure: PreparedFigure, photo: Photo): string | undefined {
  const portrait = photo.orientation >= 5;
  const [long, short] = [MAX_DIMENSION, Math.round((MAX_DIMENSION * photo.height) / photo.width)];
  const expected = portrait ? { width: short, height: long } : { width: long, height: short };
  const ok = Math.abs(figure.width - expected.width) <= 1 && Math.abs(figure.height - expected.height) <= 1;
  return ok ? undefined : `${figure.width}×${figure.height}, expected ${expected.width}×${expected.height}`;
}

async function prepareSection(context: Context): Promise<SectionResult> {
  const { page } = context;
  const methods: Method[] = ['ours', 'baseline'];
  const cdp = await page.context().newCDPSession(page);
  const section = `prepare time to a ${MAX_DIMENSION} px longest side, quality ${QUALITY}`;
  const rows: Row[] = [];
  const details: Record<string, unknown> = {};
  for (const photo of Object.values(PHOTOS)) {
    await call(page, 'loadFixture', photo.name);
    const problems = new Set<string>();
    const outputs: Record<string, PreparedFigure> = {};
    const runs = await alternate(methods, photo.runs, async (method) => {
      await cdp.send('HeapProfiler.collectGarbage');
      const figure = await call(page, 'prepare', method as Method, photo.name, MAX_DIMENSION, QUALITY);
      const problem = checkShape(figure, photo);
      if (problem) problems.add(`${method} gave ${problem}`);
      outputs[method] = figure;
      return figure.ms;
    });
    const difference = await call(page, 'outputDifference', photo.name);
    const notes = [
      ...(problems.size ? [`Wrong output size or orientation: ${[...problems].join('; ')}.`] : []),
      ...(difference
        ? [
            `Output against the baseline's: ${difference.meanAbsolute.toFixed(2)} of 255 apart per channel on average, ` +
              `${(difference.over16 * 100).toFixed(2)} % of pixels more than 16 apart; ours ${outputs.ours!.bytes} bytes, baseline ${outputs.baseline!.bytes}.`,
          ]
        : []),
    ];
    const note = notes.length ? notes.join(' ') : undefined;
    rows.push(
      row(
        section,
        `Prepare ${photo.label} (median of ${photo.runs})`,
        'data URL + <img> + canvas',
        ms(median(runs.ours!)),
        ms(median(runs.baseline!)),
        goals.ratioAtMost(0.5),
        note,
      ),
    );
    details[photo.name] = { runsMs: runs, outputs, difference };
  }
  await cdp.detach();
  return { rows, details };
}

async function blockingSection(context: Context): Promise<SectionResult> {
  const photo = PHOTOS['48mp'];
  const target: UploadTarget = { baseUrl: context.api.url, token: TOKEN, parentUuid: await createMedia(context.api) };
  const worst: Partial<Record<Method, BlockingFigure>> = {};
  const all: Partial<Record<Method, Array<BlockingFigure & { storedBytes?: number }>>> = {};
  for (const method of ['ours', 'baseline'] as const) {
    // A fresh page for each run: the first prepare of a page is what a person meets.
    for (let i = 0; i < 2; i += 1) {
      const page = await newBenchPage(context);
      try {
        await call(page, 'loadFixture', photo.name);
        const figure = await call(page, 'prepareAndUpload', method, photo.name, target, MAX_DIMENSION, QUALITY);
        (all[method] ??= []).push({ ...figure, storedBytes: await storedSize(context.api, figure.fileUuid) });
        if (!worst[method] || figure.longestTaskMs > worst[method].longestTaskMs) worst[method] = figure;
      } finally {
        await closePage(page);
      }
    }
  }
  const section = `main thread while preparing and uploading the ${photo.label} (worst of 2 fresh pages)`;
  const ours = (pick: (figure: BlockingFigure) => number) => ms(pick(worst.ours!));
  const baseline = (pick: (figure: BlockingFigure) => number) => ms(pick(worst.baseline!));
  const against = 'data URL + canvas + spark-md5 + XHR';
  const originalBytes = (await readFile(join(context.work, 'fixtures', photo.name))).length;
  const stored = (method: Method) => [...new Set((all[method] ?? []).map((figure) => figure.storedBytes))].join(', ');
  const oursSentOriginal = (all.ours ?? []).some((figure) => figure.storedBytes === originalBytes);
  const notes = [
    `Ours is the built uploadThumbnail given the original (validate, prepare, MD5, XHR, as the widget does). Stored bytes: ours ${stored('ours')}, baseline ${stored('baseline')}.`,
    `Wall time of the whole prepare + upload: ours ${worst.ours!.wallMs.toFixed(0)} ms, baseline ${worst.baseline!.wallMs.toFixed(0)} ms.`,
    ...(oursSentOriginal ? ['Ours sent the original bytes: uploadThumbnail did not prepare the image.'] : []),
  ];
  return {
    rows: [
      row(
        section,
        'Longest task (PerformanceObserver longtask)',
        against,
        ours((f) => f.longestTaskMs),
        baseline((f) => f.longestTaskMs),
        goals.oursAtMost(50, 'ms'),
        notes[0],
      ),
      row(
        section,
        'Total blocking time (sum of task time over 50 ms)',
        against,
        ours((f) => f.totalBlockingMs),
        baseline((f) => f.totalBlockingMs),
        undefined,
        notes.slice(1).join(' '),
      ),
    ],
    details: { originalBytes, runs: all },
  };
}

async function memorySection(context: Context): Promise<SectionResult> {
  const photo = PHOTOS['48mp'];
  const heaps: Partial<Record<Method, HeapPeak>> = {};
  const processes: Partial<Record<Method, RssPeak>> = {};
  for (const method of ['ours', 'baseline'] as const) {
    const page = await newBenchPage(context);
    try {
      await call(page, 'loadFixture', photo.name);
      const cdp = await page.context().newCDPSession(page);
      const sampler = await HeapSampler.attach(cdp);
      await sampler.collectGarbage();
      processes[method] = await rendererPeakDuring(async () => {
        heaps[method] = await sampler.peakDuring(() =>
          call(page, 'prepare', method, photo.name, MAX_DIMENSION, QUALITY),
        );
      });
      await cdp.detach();
    } finally {
      await closePage(page);
    }
  }
  const MB = (bytes: number): Figure => ({ value: bytes / 1e6, unit: 'MB' });
  const rssAbove = (peak: RssPeak) => peak.peakBytes - peak.idleBytes;
  const heapAbove = (peak: HeapPeak) => peak.peakBytes - peak.idleBytes;
  const describeHeap = (name: string, peak: HeapPeak) =>
    `${name} idle ${(peak.idleBytes / 1e6).toFixed(1)} MB, peak ${(peak.peakBytes / 1e6).toFixed(1)} MB (${peak.samples} samples, ${peak.workers} worker(s))`;
  const section = `memory while preparing the ${photo.label} (fresh page each)`;
  return {
    rows: [
      row(
        section,
        'Peak renderer memory above idle (RSS, /proc VmHWM)',
        'data URL + canvas',
        MB(rssAbove(processes.ours!)),
        MB(rssAbove(processes.baseline!)),
        undefined,
        'Every renderer process of the bench, peak reset before the prepare: decoded pixels, canvases and the data URL included.',
      ),
      row(
        section,
        'Peak JS heap above idle, page + workers (CDP)',
        'data URL + canvas',
        MB(heapAbove(heaps.ours!)),
        MB(heapAbove(heaps.baseline!)),
        undefined,
        `${describeHeap('Ours', heaps.ours!)}; ${describeHeap('baseline', heaps.baseline!)}. ` +
          'Blink keeps a data URL as an external string and pixels in Skia: neither is in the JS heap.',
      ),
    ],
    details: { rendererRss: processes, jsHeap: heaps },
  };
}

/** Removes what the server stored (big files, parts), so that repeated 256 MiB uploads do not fill the disk. */
async function dropStoredMedia(api: RunningServer) {
  for (const dir of ['files', 'chunks']) {
    const path = join(api.dataDir, dir);
    for (const name of await readdir(path).catch(() => [] as string[]))
      await rm(join(path, name), { recursive: true, force: true });
  }
}

async function chunkedSection(context: Context): Promise<SectionResult> {
  const { page, api } = context;
  const path = join(context.work, 'fixtures', MEDIA_FIXTURE);
  const bytes = randomBytes(MEDIA_BYTES);
  await writeFile(path, bytes);
  const md5 = createHash('md5').update(bytes).digest('hex');
  const target = { baseUrl: api.url, token: TOKEN };
  const sizes = new Set<number | undefined>();
  const requests = new Set<number>();
  const media = async (on: Page, method: 'chunked' | 'single'): Promise<MediaUploadFigure> => {
    const figure = await call(on, 'uploadMedia', method, MEDIA_FIXTURE, target, PART_BYTES);
    sizes.add(await storedSize(api, figure.fileUuid));
    if (method === 'chunked') requests.add(figure.requests);
    await dropStoredMedia(api);
    return figure;
  };
  await call(page, 'loadFixture', MEDIA_FIXTURE);
  const runs = await alternate(['chunked', 'single', 'curl'], 2, async (method) => {
    if (method !== 'curl') return (await media(page, method as 'chunked' | 'single')).ms;
    const ms = await curlUpload(api.url, path, 'application/octet-stream', {
      filename: MEDIA_FIXTURE,
      filetype: 'application/octet-stream',
      totalfilesize: String(bytes.length),
      md5,
    });
    await dropStoredMedia(api);
    return ms;
  });

  // Memory: a fresh page each, the fixture loaded before the peaks are reset.
  const heaps: Partial<Record<'chunked' | 'single', HeapPeak>> = {};
  const processes: Partial<Record<'chunked' | 'single', RssPeak>> = {};
  for (const method of ['chunked', 'single'] as const) {
    const fresh = await newBenchPage(context);
    try {
      await call(fresh, 'loadFixture', MEDIA_FIXTURE);
      const cdp = await fresh.context().newCDPSession(fresh);
      const sampler = await HeapSampler.attach(cdp);
      await sampler.collectGarbage();
      processes[method] = await rendererPeakDuring(async () => {
        heaps[method] = await sampler.peakDuring(() => media(fresh, method));
      });
      await cdp.detach();
    } finally {
      await closePage(fresh);
    }
  }
  await rm(path, { force: true });

  const section = `upload of a 256 MiB media to the reference server on loopback, in ${PART_BYTES / MiB} MiB parts (uploadMedia)`;
  const MB = (value: number): Figure => ({ value: value / 1e6, unit: 'MB' });
  const rssAbove = (peak: RssPeak) => peak.peakBytes - peak.idleBytes;
  const heapAbove = (peak: HeapPeak) => peak.peakBytes - peak.idleBytes;
  const stored = [...sizes].join(', ');
  const wrongSize = sizes.size !== 1 || !sizes.has(MEDIA_BYTES);
  const chunkedMs = median(runs.chunked!);
  return {
    rows: [
      row(
        section,
        'Chunked upload throughput, MD5 and every request (median of 2)',
        'curl -F, one request',
        mbPerSecond(MEDIA_BYTES, chunkedMs),
        mbPerSecond(MEDIA_BYTES, median(runs.curl!)),
        undefined,
        `Ours in one request instead (uploadMedia, MD5 of the whole first): ${(mbPerSecond(MEDIA_BYTES, median(runs.single!)) as { value: number }).value.toFixed(1)} MB/s, ` +
          `so parts cost ${(chunkedMs / median(runs.single!)).toFixed(2)}× its time. Requests per chunked upload: ${[...requests].join(', ')} ` +
          `(${Math.ceil(MEDIA_BYTES / PART_BYTES)} parts and the done call). Stored sizes: ${stored}${wrongSize ? `, NOT the ${MEDIA_BYTES} sent` : ''}.`,
      ),
      row(
        section,
        'Peak renderer memory above idle (RSS, /proc VmHWM), chunked',
        'ours, one request',
        MB(rssAbove(processes.chunked!)),
        MB(rssAbove(processes.single!)),
        undefined,
        `Flat means far below the ${(MEDIA_BYTES / 1e6).toFixed(0)} MB of the file; a part read for its MD5 is ${(PART_BYTES / 1e6).toFixed(1)} MB, and parts wait for the garbage collector.`,
      ),
      row(
        section,
        'Peak JS heap above idle, page + workers (CDP), chunked',
        'ours, one request',
        MB(heapAbove(heaps.chunked!)),
        MB(heapAbove(heaps.single!)),
        undefined,
        `ArrayBuffers of the parts are outside V8's heap: the RSS row above counts them. Chunked: ${heaps.chunked!.samples} samples, one request: ${heaps.single!.samples}.`,
      ),
    ],
    details: {
      bytes: MEDIA_BYTES,
      partBytes: PART_BYTES,
      runsMs: runs,
      storedSizes: [...sizes],
      requests: [...requests],
      rendererRss: processes,
      jsHeap: heaps,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Setup

async function bundlePage(work: string): Promise<string> {
  const outDir = join(work, 'page');
  await build({
    root: join(REPO, 'bench/page'),
    configFile: false,
    envFile: false,
    logLevel: 'silent',
    cacheDir: join(work, 'vite-cache'),
    resolve: {
      alias: [
        {
          find: /^react-thumbnail-uploader\/core$/,
          replacement: fileURLToPath(import.meta.resolve('react-thumbnail-uploader/core')),
        },
      ],
    },
    build: { outDir, emptyOutDir: true, sourcemap: false, reportCompressedSize: false, target: 'es2022' },
  });
  return outDir;
}

async function makeFixtures(context: Pick<Context, 'page' | 'work'>): Promise<Record<string, number>> {
  const fixtures = join(context.work, 'fixtures');
  const specs: ImageSpec[] = [
    ...Object.values(PHOTOS).map((photo) => ({
      name: photo.name,
      width: photo.width,
      height: photo.height,
      type: photo.name.endsWith('.png') ? ('image/png' as const) : ('image/jpeg' as const),
      alpha: photo.name.endsWith('.png'),
      quality: 0.9,
    })),
    { name: 'small.jpg', width: 640, height: 480, type: 'image/jpeg', alpha: false, quality: 0.9 },
  ];
  for (const spec of specs) await call(context.page, 'generateImage', spec);
  const raw = (name: string) => readFile(join(fixtures, 'raw', name));
  const write = (name: string, bytes: Buffer) => writeFile(join(fixtures, name), bytes);
  for (const photo of Object.values(PHOTOS)) {
    await write(
      photo.name,
      photo.orientation === 1 ? await raw(photo.name) : withExifOrientation(await raw(photo.name), photo.orientation),
    );
  }
  // Smaller than the longest side sent, so a pipeline in front of the upload sends it as it is.
  await write(UPLOAD_FIXTURE, paddedJpeg(await raw('small.jpg'), BIG_BYTES));
  await write(RANDOM_FIXTURE, randomBytes(BIG_BYTES));
  const sizes: Record<string, number> = {};
  for (const name of [...Object.values(PHOTOS).map((photo) => photo.name), UPLOAD_FIXTURE, RANDOM_FIXTURE]) {
    sizes[name] = (await readFile(join(fixtures, name))).length;
  }
  await rm(join(fixtures, 'raw'), { recursive: true, force: true });
  return sizes;
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { only: { type: 'string' } } });
  const only = values.only ? values.only.split(',').map((name) => name.trim()) : [...SECTIONS];
  const unknown = only.filter((name) => !(SECTIONS as readonly string[]).includes(name));
  if (unknown.length) throw new Error(`Unknown section(s) ${unknown.join(', ')}; pick from ${SECTIONS.join(', ')}`);
  const wanted = (section: Section) => only.includes(section);

  const cleanups: Array<() => Promise<unknown>> = [];
  const cleanup = async () => {
    while (cleanups.length) await cleanups.pop()!().catch((error: unknown) => log(`cleanup: ${String(error)}`));
  };
  // A cleanup that hangs (a browser that does not close) must not keep the bench running.
  const cleanupThenExit = (code: number) =>
    void Promise.race([cleanup(), new Promise((resolve) => setTimeout(resolve, 15_000).unref())]).finally(() =>
      process.exit(code),
    );
  const stop = (signal: string) => {
    log(`\n${signal}: stopping the bench and cleaning up.`);
    cleanupThenExit(130);
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
  const watchdog = setTimeout(() => {
    log(`The bench ran past ${HARD_LIMIT_MS / 60_000} minutes; stopping it.`);
    cleanupThenExit(2);
  }, HARD_LIMIT_MS);
  watchdog.unref();

  const started = Date.now();
  const rows: Row[] = [];
  const details: Record<string, unknown> = {};
  const failures: string[] = [];
  try {
    const work = await mkdtemp(join(tmpdir(), 'rtu-bench-'));
    cleanups.push(() => rm(work, { recursive: true, force: true }));

    log('Building the package (npm run build) and starting Chromium…');
    // NODE_ENV decides the JSX runtime of the build: a test runner's "test" would ship jsxDEV.
    const launching = chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    // Closed whatever comes next, a failed build included: a browser left open keeps the bench running.
    cleanups.push(async () => (await launching.catch(() => undefined))?.close());
    const [browser] = await Promise.all([
      launching,
      run('npm', ['run', 'build'], { ...process.env, NODE_ENV: 'production' }),
    ]);
    details.environment = {
      chromium: browser.version(),
      node: process.version,
      cpus: cpus().length,
      cpu: cpus()[0]?.model,
    };
    if ((await readFile(join(REPO, 'dist/index.js'), 'utf8')).includes('jsx-dev-runtime')) {
      throw new Error('dist/index.js imports react/jsx-dev-runtime: the build ran in development mode.');
    }

    const results = async (name: Section, measure: () => Promise<SectionResult>) => {
      if (!wanted(name)) return;
      log(`Measuring ${name}…`);
      const sectionStart = Date.now();
      try {
        const result = await measure();
        rows.push(...result.rows);
        details[name] = result.details;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        failures.push(`${name}: ${message}`);
        rows.push(
          row(
            name,
            `${name}: the measurement failed`,
            '',
            missing('failed'),
            missing('failed'),
            undefined,
            message.split('\n')[0],
          ),
        );
      }
      log(`  ${name} took ${((Date.now() - sectionStart) / 1000).toFixed(1)} s`);
    };

    await results('sizes', () => sizesSection(work));

    if (SECTIONS.some((name) => name !== 'sizes' && wanted(name))) {
      log('Bundling the bench page and making fixtures…');
      const bench = await serveBench(await bundlePage(work), join(work, 'fixtures'));
      cleanups.push(() => bench.close());
      const api = await startServer({
        port: 0,
        token: TOKEN,
        dataDir: join(work, 'data'),
        // A 256 MiB media in one request, beside the chunked one.
        maxBodyBytes: MEDIA_BYTES + MiB,
        requestTimeoutMs: 120_000,
      });
      cleanups.push(() => api.close());
      const page = await newBenchPage({ browser, bench });
      details.fixtures = await makeFixtures({ page, work });
      const context: Context = { work, browser, bench, api, page };

      await results('md5', () => md5Section(context));
      await results('upload', () => uploadSection(context));
      await results('prepare', () => prepareSection(context));
      await results('blocking', () => blockingSection(context));
      await results('memory', () => memorySection(context));
      await results('chunked', () => chunkedSection(context));
    }
  } finally {
    await cleanup();
    clearTimeout(watchdog);
  }

  const seconds = (Date.now() - started) / 1000;
  console.log(
    `\n${formatTable(rows)}\n\n${summary(rows)}\nRatios are ours / baseline. The bench took ${seconds.toFixed(0)} s.`,
  );
  const commit = await run('git', ['rev-parse', 'HEAD']).catch(() => 'unknown');
  await writeFile(
    RESULTS,
    `${JSON.stringify({ date: new Date().toISOString(), commit: commit.trim(), seconds, sections: only, rows, details, failures }, null, 2)}\n`,
  );
  console.log(`Written to ${RESULTS}.`);
  if (failures.length) console.error(`\nFailed measurements:\n${failures.join('\n')}`);
  return failures.length ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`The bench did not run: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
