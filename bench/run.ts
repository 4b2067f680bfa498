/**
 * `npm run bench`: our figures beside a baseline measured in the same run, printed as ratios with
 * the goal each must meet, and written to bench/results.json. Everything runs on this machine:
 * the package is built, a bench page bundled with Vite from it, served on loopback and driven in
 * Debian's Chromium; uploads go to the reference server on an ephemeral port with a temp data dir.
 * Each section measures in its own file under sections/; this one sets up, runs them and reports.
 *
 *   npm run bench                      every section
 *   npm run bench -- --only md5,sizes  some of them: sizes, md5, upload, prepare, blocking, memory, chunked, queue
 *
 * Goals that are not met are printed as such; the exit code is 1 only when a measurement failed.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { build } from 'vite';
import { startServer } from '../server/app';
import { CHROMIUM, CHROMIUM_ARGS } from '../test/support/chromium';
import { heicFromJpeg } from '../test/fixtures/makeHeic';
import { paddedJpeg, withExifOrientation } from './fixtures';
import type { ImageSpec } from './page/main';
import { blocking } from './sections/blocking';
import { chunked } from './sections/chunked';
import { md5 } from './sections/md5';
import { memory } from './sections/memory';
import { prepare } from './sections/prepare';
import { queue } from './sections/queue';
import { sizes } from './sections/sizes';
import { upload } from './sections/upload';
import { serveBench } from './servers';
import {
  call,
  HEIC_PHOTO,
  log,
  MEDIA_BYTES,
  MiB,
  missing,
  newBenchPage,
  PHOTOS,
  RANDOM_FIXTURE,
  REPO,
  run,
  TOKEN,
  UPLOAD_FIXTURE,
  type Context,
  type Section,
  type SectionResult,
} from './support';
import { formatTable, row, summary, type Row } from './table';

const RESULTS = join(REPO, 'bench/results.json');
/** Sections on the bench page, run in this order after `sizes`, which needs no browser. */
const PAGE_SECTIONS = { md5, upload, prepare, blocking, memory, chunked, queue } satisfies Record<string, Section>;
const SECTIONS = ['sizes', ...Object.keys(PAGE_SECTIONS)];

/** The whole run is stopped past this, whatever it is doing. */
const HARD_LIMIT_MS = 8 * 60_000;
const BIG_BYTES = 64 * MiB;

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
        ...['react-thumbnail-uploader/core', 'react-thumbnail-uploader/styles.css', 'react-thumbnail-uploader'].map(
          (name) => ({
            find: new RegExp(`^${name.replaceAll('.', '\\.')}$`),
            replacement: fileURLToPath(import.meta.resolve(name)),
          }),
        ),
      ],
    },
    build: { outDir, emptyOutDir: true, sourcemap: false, reportCompressedSize: false, target: 'es2022' },
  });
  return outDir;
}

/** `heic`: the HEIC photo too, which only the prepare section reads (heif-enc takes both cores for about 12 s). */
async function makeFixtures(context: Pick<Context, 'page' | 'work'>, heic: boolean): Promise<Record<string, number>> {
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
  if (heic) {
    try {
      await write(HEIC_PHOTO.name, heicFromJpeg(await raw(PHOTOS['12mp'].name), HEIC_PHOTO.orientation));
    } catch (error) {
      // No heif-enc or cjpeg here: the prepare section says so in its HEIC row.
      log(`No ${HEIC_PHOTO.name}: ${String(error).split('\n')[0]}`);
    }
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
  const unknown = only.filter((name) => !SECTIONS.includes(name));
  if (unknown.length) throw new Error(`Unknown section(s) ${unknown.join(', ')}; pick from ${SECTIONS.join(', ')}`);

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

    const results = async (name: string, measure: () => Promise<SectionResult>) => {
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

    if (only.includes('sizes')) await results('sizes', () => sizes({ work }));

    const pageSections = Object.entries(PAGE_SECTIONS).filter(([name]) => only.includes(name));
    if (pageSections.length) {
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
      details.fixtures = await makeFixtures({ page, work }, only.includes('prepare'));
      const context: Context = { work, browser, bench, api, page };
      for (const [name, measure] of pageSections) await results(name, () => measure(context));
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
