import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { RunningServer } from '../../server/app';
import type { StoredUpload } from '../../server/store';
import type { StoredAttachment } from '../page/composer';
import { QUEUE_MARKS } from '../page/marks';
import type { QueueFigure } from '../page/queue';
import {
  alternate,
  call,
  eachInTurn,
  log,
  measureMemory,
  memoryRows,
  missing,
  ms,
  newBenchPage,
  onFreshPage,
  tasks,
  TOKEN,
  type Context,
  type SectionResult,
} from '../support';
import { goals, row } from '../table';

const COUNT = 30;
const PHOTO = { width: 4000, height: 3000, quality: 0.9 } as const;
const LONG_TASK_MS = 50;
/**
 * Timed runs of each side, alternating which goes first, after a warm-up of each: one run scatters
 * by ±10 % on a shared machine, so the rows give the median run and every run's time in the note.
 */
const RUNS = 3;
/** One run of 30 attachments, ours or the baseline's. */
const RUN_LIMIT_MS = 150_000;
/** Main-thread tasks in Chromium's trace (category `toplevel`). */
const TASK_EVENTS = new Set(['ThreadControllerImpl::RunTask', 'RunTask']);

const photoName = (index: number) => `queue-${String(index + 1).padStart(2, '0')}.jpg`;

/** 30 distinct photo-like JPEGs painted and encoded in the page, two pages at once; made only when this section runs. */
async function makePhotos(context: Context): Promise<string[]> {
  const fixtures = join(context.work, 'fixtures');
  await mkdir(join(fixtures, 'raw'), { recursive: true });
  const names = Array.from({ length: COUNT }, (_, index) => photoName(index));
  let next = 0;
  const paint = async (page: Page) => {
    for (let index = next++; index < COUNT; index = next++) {
      const name = names[index]!;
      await call(page, 'generateImage', { name, ...PHOTO, type: 'image/jpeg', alpha: false, seed: index + 1 });
      await rename(join(fixtures, 'raw', name), join(fixtures, name));
    }
  };
  const second = await newBenchPage(context);
  try {
    await Promise.all([paint(context.page), paint(second)]);
  } finally {
    await second.context().close();
  }
  return names;
}

type Side = 'ours' | 'baseline';

/** Gives the files to the page's file input at once and waits until each is stored or has failed. */
async function attachAll(page: Page, paths: string[]): Promise<QueueFigure> {
  await page.setInputFiles('input[type=file]', paths);
  const deadline = Date.now() + RUN_LIMIT_MS;
  for (;;) {
    const status = await call(page, 'queueStatus');
    if (status.stored + status.errors >= paths.length) break;
    if (Date.now() > deadline) {
      throw new Error(`${status.stored} of ${paths.length} stored after ${RUN_LIMIT_MS / 1000} s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return call(page, 'queueFigure');
}

interface TraceEvent {
  name: string;
  cat: string;
  ph: string;
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
}

interface TracedTasks {
  longestMs: number;
  over50: number;
  totalBlockingMs: number;
}

/** The page's main-thread tasks between the marks, from a trace: the page's marks name its thread. */
function tasksOfTrace(trace: Buffer): TracedTasks | undefined {
  const events = (JSON.parse(trace.toString('utf8')) as { traceEvents: TraceEvent[] }).traceEvents;
  const mark = (name: string) => events.find((event) => event.name === name && event.cat.includes('user_timing'));
  const [start, end] = [mark(QUEUE_MARKS.start), mark(QUEUE_MARKS.end)];
  if (!start || !end) return undefined;
  const spans = events
    .filter(
      (event) =>
        event.pid === start.pid &&
        event.tid === start.tid &&
        event.ph === 'X' &&
        TASK_EVENTS.has(event.name) &&
        event.ts + (event.dur ?? 0) >= start.ts &&
        event.ts <= end.ts,
    )
    .sort((a, b) => a.ts - b.ts);
  // A RunTask inside another (a nested loop, or the two names of one task) is not a task of its own.
  const durations: number[] = [];
  let outerEnd = -Infinity;
  for (const span of spans) {
    const spanEnd = span.ts + (span.dur ?? 0);
    if (spanEnd <= outerEnd) continue;
    outerEnd = spanEnd;
    durations.push((span.dur ?? 0) / 1000);
  }
  const long = durations.filter((duration) => duration > LONG_TASK_MS);
  return {
    longestMs: Math.max(0, ...durations),
    over50: long.length,
    totalBlockingMs: long.reduce((sum, duration) => sum + duration - LONG_TASK_MS, 0),
  };
}

async function storedRecords(api: RunningServer): Promise<Map<string, StoredUpload>> {
  const metaDir = join(api.dataDir, 'meta');
  const records = new Map<string, StoredUpload>();
  for (const name of await readdir(metaDir)) {
    if (!name.endsWith('.json') || name.startsWith('.')) continue;
    const record = JSON.parse(await readFile(join(metaDir, name), 'utf8')) as StoredUpload;
    records.set(record.uuid, record);
  }
  return records;
}

interface Verified {
  /** Attachments whose media the server holds with the original's size, and a thumbnail of that media. */
  whole: number;
  thumbnailBytes: number[];
}

/** Checks what the page was told against the server's records; then drops the stored bytes to spare the disk. */
async function verify(api: RunningServer, attachments: StoredAttachment[], sizes: Map<string, number>) {
  const records = await storedRecords(api);
  const verified: Verified = { whole: 0, thumbnailBytes: [] };
  const media = new Set<string>();
  for (const attachment of attachments) {
    const stored = records.get(attachment.mediaUuid);
    const thumbnail = attachment.thumbnailUuid ? records.get(attachment.thumbnailUuid) : undefined;
    if (
      stored?.kind === 'media' &&
      stored.size === sizes.get(stored.originalName) &&
      !media.has(stored.uuid) &&
      thumbnail?.kind === 'thumbnail' &&
      thumbnail.parentUuid === stored.uuid &&
      attachment.parentUuid === stored.uuid
    ) {
      verified.whole += 1;
      verified.thumbnailBytes.push(thumbnail.size);
      media.add(stored.uuid);
    }
    for (const record of [stored, thumbnail]) {
      if (record) await rm(join(api.dataDir, 'files', record.storedName), { force: true });
    }
  }
  return verified;
}

export async function queue(context: Context): Promise<SectionResult> {
  const generating = Date.now();
  const names = await makePhotos(context);
  const fixtures = join(context.work, 'fixtures');
  const paths = names.map((name) => join(fixtures, name));
  const sizes = new Map<string, number>();
  for (const [index, name] of names.entries()) sizes.set(name, (await readFile(paths[index]!)).length);
  log(`  ${COUNT} photos made in ${((Date.now() - generating) / 1000).toFixed(1)} s`);
  const target = { baseUrl: context.api.url, token: TOKEN };

  const runs = await alternate(['ours', 'baseline'] as const, RUNS, (side) =>
    onFreshPage(context, async (page) => {
      await call(page, 'mountQueue', side, target, COUNT);
      await context.browser.startTracing(page, { categories: ['toplevel', 'blink.user_timing'] });
      let trace: Buffer | undefined;
      let figure: QueueFigure;
      try {
        figure = await attachAll(page, paths);
      } finally {
        trace = await context.browser.stopTracing();
      }
      const verified = await verify(context.api, figure.stored, sizes);
      log(`  ${side}: ${verified.whole} of ${COUNT} stored in ${(figure.ms / 1000).toFixed(1)} s`);
      return { figure, verified, trace: tasksOfTrace(trace) };
    }),
  );
  const memory = await eachInTurn(['ours', 'baseline'] as const, async (side) => {
    let figure: QueueFigure | undefined;
    const peak = await measureMemory(
      context,
      (page) => call(page, 'mountQueue', side, target, COUNT),
      async (page) => (figure = await attachAll(page, paths)),
    );
    const verified = await verify(context.api, figure!.stored, sizes);
    return { peak, verified, ms: figure!.ms, errors: figure!.errors };
  });
  for (const path of paths) await rm(path, { force: true });

  type Run = (typeof runs)['ours'][number];
  // The rows show each side's median run; the goals on tasks hold for every run, so those show the worst.
  const medianRun = (side: Side) => [...runs[side]].sort((a, b) => a.figure.ms - b.figure.ms)[Math.floor(RUNS / 2)]!;
  const worstRun = (side: Side, by: (run: Run) => number) => runs[side].reduce((a, b) => (by(b) > by(a) ? b : a));
  const [ours, baseline] = [medianRun('ours'), medianRun('baseline')];
  const mostTasks = {
    ours: worstRun('ours', (run) => run.figure.longTasks.length),
    baseline: worstRun('baseline', (run) => run.figure.longTasks.length),
  };
  const longestTask = (run: Run) => run.trace?.longestMs ?? 0;
  const longestRun = { ours: worstRun('ours', longestTask), baseline: worstRun('baseline', longestTask) };
  const runTimes = (side: Side) => runs[side].map((run) => (run.figure.ms / 1000).toFixed(2)).join(', ');
  const pairRatios = runs.ours.map((run, i) => (run.figure.ms / runs.baseline[i]!.figure.ms).toFixed(2)).join(', ');
  const averageMB = [...sizes.values()].reduce((sum, size) => sum + size, 0) / COUNT / 1e6;
  const section =
    `${COUNT} photos of 12 MP (${PHOTO.width}×${PHOTO.height} JPEG, ${averageMB.toFixed(1)} MB on average) ` +
    'attached at once, to the reference server on loopback (fresh page each)';
  const against = 'composer: data URL + canvas, in series';
  const allStored = (run: { verified: Verified }) => run.verified.whole === COUNT;
  const time = (side: Side) => {
    const short = runs[side].find((run) => !allStored(run));
    return short ? missing(`${short.verified.whole} of ${COUNT} stored`) : ms(medianRun(side).figure.ms);
  };
  const average = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);
  const errors = (side: Side) => [...runs[side].flatMap((run) => run.figure.errors), ...memory[side].errors];
  const errorNote = (['ours', 'baseline'] as const)
    .filter((side) => errors(side).length)
    .map((side) => ` ${side} errors: ${errors(side).slice(0, 3).join('; ')}.`)
    .join('');
  const traceFigure = (run: Run, pick: (traced: TracedTasks) => number) =>
    run.trace ? ms(pick(run.trace)) : missing('no trace marks');
  const countOf = (run: Run) => run.trace?.over50 ?? '?';
  const longest = (run: Run) => run.figure.longTasks.reduce((a, b) => (b.ms > a.ms ? b : a), { at: 0, ms: 0 });
  // A task that starts before the change mark is the one that dispatched it (the files' arrival).
  const longestNote = (run: Run) => {
    const { at, ms: duration } = longest(run);
    return `${duration.toFixed(0)} ms ${at < 0 ? 'in the task that dispatched the change' : `at +${at.toFixed(0)} ms after the change`}`;
  };
  // Where the longest frame's time went, by script (long-animation-frame entries; Chromium).
  const longestFrameNote = (run: Run) => {
    const frame = run.figure.longFrames.reduce<QueueFigure['longFrames'][number] | undefined>(
      (a, b) => (!a || b.ms > a.ms ? b : a),
      undefined,
    );
    if (!frame) return 'none over 50 ms';
    const scripts = [...frame.scripts].sort((a, b) => b.ms - a.ms).slice(0, 2);
    return `${frame.ms.toFixed(0)} ms: ${scripts.map((script) => `${shortInvoker(script.invoker)} ${script.ms.toFixed(0)} ms`).join(', ') || 'rendering'}`;
  };
  const images = (run: Run) =>
    `${run.figure.images.count} pictures, the widest decoding to ${run.figure.images.widest} px`;
  return {
    rows: [
      row(
        section,
        `Time until all ${COUNT} are stored, media and thumbnails`,
        against,
        time('ours'),
        time('baseline'),
        goals.ratioAtMost(0.35),
        `Ours is the built AttachmentUploader (maxFiles ${COUNT}, concurrency 2). From the input's change to the last onUploaded (ours) or thumbnail answer (baseline). ` +
          `The median of ${RUNS} runs each, alternating, after a warm-up: ours ${runTimes('ours')} s, baseline ${runTimes('baseline')} s; ours / baseline run by run ${pairRatios}. ` +
          `Checked at the server in every run: ours ${runs.ours.map((run) => run.verified.whole).join('/')}, baseline ${runs.baseline.map((run) => run.verified.whole).join('/')} of ${COUNT} media of the original's size with a thumbnail of them ` +
          `(memory runs: ours ${memory.ours.verified.whole}, baseline ${memory.baseline.verified.whole}, in ${(memory.ours.ms / 1000).toFixed(1)} s and ${(memory.baseline.ms / 1000).toFixed(1)} s). ` +
          `Thumbnails sent: ours ${(average(ours.verified.thumbnailBytes) / 1000).toFixed(0)} kB on average (1024 px, q0.85), ` +
          `baseline ${(average(baseline.verified.thumbnailBytes) / 1000).toFixed(0)} kB (1920 px wide, q0.5). Ours sends each MD5, the baseline none.${errorNote}`,
      ),
      row(
        section,
        `Main-thread tasks over ${LONG_TASK_MS} ms (PerformanceObserver longtask)`,
        against,
        tasks(mostTasks.ours.figure.longTasks.length),
        tasks(mostTasks.baseline.figure.longTasks.length),
        goals.oursAtMost(0, 'tasks'),
        `The run with the most of the ${RUNS}, from the change to the last attachment stored (ours ${runs.ours.map((run) => run.figure.longTasks.length).join('/')}, baseline ${runs.baseline.map((run) => run.figure.longTasks.length).join('/')}); ` +
          `the CDP trace of that run counts ours ${countOf(mostTasks.ours)}, baseline ${countOf(mostTasks.baseline)}.`,
      ),
      row(
        section,
        'Longest main-thread task (CDP trace, toplevel RunTask)',
        against,
        traceFigure(longestRun.ours, (found) => found.longestMs),
        traceFigure(longestRun.baseline, (found) => found.longestMs),
        undefined,
        `The longest of the ${RUNS} runs. In that run, PerformanceObserver's longest: ours ${longestNote(longestRun.ours)}, baseline ${longestNote(longestRun.baseline)}; ` +
          `total blocking time (trace): ours ${longestRun.ours.trace?.totalBlockingMs.toFixed(0) ?? '?'} ms, baseline ${longestRun.baseline.trace?.totalBlockingMs.toFixed(0) ?? '?'} ms; ` +
          `longest animation frame: ours ${longestFrameNote(longestRun.ours)}; baseline ${longestFrameNote(longestRun.baseline)}.`,
      ),
      ...memoryRows(
        section,
        '',
        against,
        memory.ours.peak,
        memory.baseline.peak,
        {
          rss:
            'Every renderer process of the bench, peak reset after the page was mounted, in a run of its own (sampling the heap slows the page). ' +
            `On the page at the end: ours ${images(ours)}; baseline ${images(baseline)}.`,
          heap: `Ours idle ${(memory.ours.peak.heap.idleBytes / 1e6).toFixed(1)} MB, ${memory.ours.peak.heap.workers} worker(s); baseline idle ${(memory.baseline.peak.heap.idleBytes / 1e6).toFixed(1)} MB. Data URLs and decoded pixels are outside the JS heap.`,
        },
        goals.ratioAtMost(0.5),
      ),
    ],
    details: {
      fileBytes: Object.fromEntries(sizes),
      runs: Object.fromEntries(
        (['ours', 'baseline'] as const).map((side) => [
          side,
          runs[side].map((run) => ({
            ms: run.figure.ms,
            longTasks: run.figure.longTasks,
            // A data URL preview names its element by megabytes of `src`.
            longFrames: run.figure.longFrames.map((frame) => ({
              ...frame,
              scripts: frame.scripts.map((script) => ({ ...script, invoker: shortInvoker(script.invoker) })),
            })),
            images: run.figure.images,
            trace: run.trace,
            verified: run.verified,
            errors: run.figure.errors,
          })),
        ]),
      ),
      memory,
    },
  };
}

/** An invoker names its element by its attributes: a data URL preview's `src` is megabytes long. */
function shortInvoker(invoker: string): string {
  return invoker.replace(/"data:([^;,"]*)[^"]*"/g, '"data:$1,…"');
}
