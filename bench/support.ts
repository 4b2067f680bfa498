/**
 * What the bench's sections share: the context `run.ts` gives them, the fixtures it makes, and the
 * helpers they measure with.
 */
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import type { RunningServer } from '../server/app';
import { createParentMedia } from '../test/support/parentMedia';
import { HeapSampler, type HeapPeak } from './heap';
import type { BenchPage } from './page/main';
import { rendererPeakDuring, type RssPeak } from './processMemory';
import type { BenchServer } from './servers';
import { row, type Figure, type Goal, type Row } from './table';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const TOKEN = 'bench-token';
export const MiB = 1024 * 1024;
export const MAX_DIMENSION = 1024;
export const QUALITY = 0.85;
/** One call into the page. */
const STEP_LIMIT_MS = 90_000;

export const PHOTOS = {
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
export type Photo = (typeof PHOTOS)[keyof typeof PHOTOS];
/**
 * The 12 MP photo as an iPhone stores it in HEIC (irot and EXIF orientation 6), encoded by Debian's
 * heif-enc at bench time (test/fixtures/makeHeic.ts) when libheif-examples and libjpeg-turbo-progs are installed.
 */
export const HEIC_PHOTO = {
  name: 'photo-12mp.heic',
  label: '12 MP HEIC, irot + EXIF orientation 6',
  width: 4000,
  height: 3000,
  orientation: 6,
  runs: 5,
} as const;
export const UPLOAD_FIXTURE = 'upload-64m.jpg';
export const RANDOM_FIXTURE = 'random-64m.bin';
/** The chunked section's media, which the reference server must also take in one request. */
export const MEDIA_BYTES = 256 * MiB;

export interface Context {
  work: string;
  browser: Browser;
  bench: BenchServer;
  api: RunningServer;
  /** A page on the bench, kept for the warm measurements (prepare time, MD5, upload). */
  page: Page;
}

export interface SectionResult {
  rows: Row[];
  details: Record<string, unknown>;
}

export type Section = (context: Context) => Promise<SectionResult>;

export const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
export const ms = (value: number): Figure => ({ value, unit: 'ms' });
export const kB = (bytes: number): Figure => ({ value: bytes / 1000, unit: 'kB' });
export const tasks = (count: number): Figure => ({ value: count, unit: 'tasks' });
const MB = (bytes: number): Figure => ({ value: bytes / 1e6, unit: 'MB' });
export const mbPerSecond = (bytes: number, milliseconds: number) => ({
  value: bytes / 1e6 / (milliseconds / 1000),
  unit: 'MB/s' as const,
});
export const missing = (why: string): Figure => ({ missing: why });

function withTimeout<T>(promise: Promise<T>, limitMs: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${limitMs / 1000} s`)), limitMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Calls `window.bench[method](...args)` in the page, bounded in time. */
export function call<K extends keyof BenchPage>(
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

export function log(message: string) {
  process.stderr.write(`${message}\n`);
}

export async function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)(command, args, { cwd: REPO, env, maxBuffer: 16 * MiB });
    return stdout;
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed:\n${stdout}\n${stderr}`, { cause: error });
  }
}

/** Milliseconds curl takes to post `path` with these `qq` fields to the upload endpoint in one request. */
export async function curlUpload(
  apiUrl: string,
  path: string,
  type: string,
  fields: Record<string, string>,
): Promise<number> {
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

export async function newBenchPage(context: Pick<Context, 'browser' | 'bench'>): Promise<Page> {
  const page = await (await context.browser.newContext()).newPage();
  page.on('pageerror', (error) => log(`  page error: ${error.message}`));
  await page.goto(`${context.bench.url}/`);
  await page.waitForFunction(() => 'bench' in window);
  return page;
}

/** Runs `action` on a fresh page, which is closed afterwards whatever happens. */
export async function onFreshPage<T>(context: Context, action: (page: Page) => Promise<T>): Promise<T> {
  const page = await newBenchPage(context);
  try {
    return await action(page);
  } finally {
    await page.context().close();
  }
}

export interface MemoryPeak {
  rssPeakAboveIdle: number;
  heapPeakAboveIdle: number;
  rss: RssPeak;
  heap: HeapPeak;
}

/**
 * Peak renderer RSS (/proc VmHWM) and JS heap of page + workers (CDP), each above its idle, while
 * `action` runs on a fresh page: `setup` (a fixture to load, or a step of its own) comes first, so
 * that what it leaves in memory counts as idle.
 */
export function measureMemory(
  context: Context,
  setup: string | ((page: Page) => Promise<unknown>),
  action: (page: Page) => Promise<unknown>,
): Promise<MemoryPeak> {
  return onFreshPage(context, async (page) => {
    await (typeof setup === 'string' ? call(page, 'loadFixture', setup) : setup(page));
    const cdp = await page.context().newCDPSession(page);
    const sampler = await HeapSampler.attach(cdp);
    await sampler.collectGarbage();
    let heap: HeapPeak | undefined;
    const rss = await rendererPeakDuring(async () => {
      heap = await sampler.peakDuring(() => action(page));
    });
    await cdp.detach();
    return {
      rssPeakAboveIdle: rss.peakBytes - rss.idleBytes,
      heapPeakAboveIdle: heap!.peakBytes - heap!.idleBytes,
      rss,
      heap: heap!,
    };
  });
}

/** The rows of `measureMemory`'s figures, worded alike in every section; `suffix` ends both labels; `rssGoal` is the RSS row's. */
export function memoryRows(
  section: string,
  suffix: string,
  against: string,
  ours: MemoryPeak,
  baseline: MemoryPeak,
  notes: { rss: string; heap: string },
  rssGoal?: Goal,
): Row[] {
  return [
    row(
      section,
      `Peak renderer memory above idle (RSS, /proc VmHWM)${suffix}`,
      against,
      MB(ours.rssPeakAboveIdle),
      MB(baseline.rssPeakAboveIdle),
      rssGoal,
      notes.rss,
    ),
    row(
      section,
      `Peak JS heap above idle, page + workers (CDP)${suffix}`,
      against,
      MB(ours.heapPeakAboveIdle),
      MB(baseline.heapPeakAboveIdle),
      undefined,
      notes.heap,
    ),
  ];
}

/** A media to be the parent of the thumbnails the bench uploads. */
export const createMedia = (api: RunningServer) => createParentMedia(api.url, TOKEN);

export async function storedSize(api: RunningServer, uuid: string): Promise<number | undefined> {
  const metaDir = join(api.dataDir, 'meta');
  for (const name of await readdir(metaDir)) {
    if (!name.endsWith('.json') || name.startsWith('.')) continue;
    const record = JSON.parse(await readFile(join(metaDir, name), 'utf8')) as { uuid?: string; size?: number };
    if (record.uuid === uuid) return record.size;
  }
  return undefined;
}

/** `measure` of each method, one after the other. */
export async function eachInTurn<M extends string, T>(
  methods: readonly M[],
  measure: (method: M) => Promise<T>,
): Promise<Record<M, T>> {
  const results = {} as Record<M, T>;
  for (const method of methods) results[method] = await measure(method);
  return results;
}

/** Runs `measure` for each method in turn, `runs` times, alternating which goes first; after one warm-up each. */
export async function alternate<M extends string, T>(
  methods: readonly M[],
  runs: number,
  measure: (method: M) => Promise<T>,
): Promise<Record<M, T[]>> {
  const results = Object.fromEntries(methods.map((method) => [method, [] as T[]])) as Record<M, T[]>;
  for (const method of methods) await measure(method);
  for (let i = 0; i < runs; i += 1) {
    const order = i % 2 ? [...methods].reverse() : methods;
    for (const method of order) results[method].push(await measure(method));
  }
  return results;
}
