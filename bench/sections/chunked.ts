import { createHash, randomBytes } from 'node:crypto';
import { readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { RunningServer } from '../../server/app';
import type { MediaUploadFigure } from '../page/main';
import {
  alternate,
  call,
  curlUpload,
  eachInTurn,
  mbPerSecond,
  measureMemory,
  memoryRows,
  MEDIA_BYTES,
  median,
  MiB,
  ms,
  RANDOM_FIXTURE,
  storedSize,
  TOKEN,
  type Context,
  type SectionResult,
} from '../support';
import { goals, row, type Row } from '../table';

/** Made only when this section runs. */
const MEDIA_FIXTURE = 'media-256m.bin';
const PART_BYTES = 5 * MiB;
/** The throttled network of a phone on a train, as Chromium's DevTools emulate it: 40 ms latency, 50 Mbit/s up. */
const THROTTLED = { offline: false, latency: 40, downloadThroughput: -1, uploadThroughput: 50e6 / 8 };
const IN_FLIGHT = [1, 2, 4] as const;

/** Removes what the server stored (big files, parts), so that repeated 256 MiB uploads do not fill the disk. */
async function dropStoredMedia(api: RunningServer) {
  for (const dir of ['files', 'chunks']) {
    const path = join(api.dataDir, dir);
    for (const name of await readdir(path).catch(() => [] as string[]))
      await rm(join(path, name), { recursive: true, force: true });
  }
}

export async function chunked(context: Context): Promise<SectionResult> {
  const { page, api } = context;
  const path = join(context.work, 'fixtures', MEDIA_FIXTURE);
  const bytes = randomBytes(MEDIA_BYTES);
  await writeFile(path, bytes);
  const md5 = createHash('md5').update(bytes).digest('hex');
  const target = { baseUrl: api.url, token: TOKEN };
  const sizes = new Set<number | undefined>();
  const requests = new Set<number>();
  const media = async (on: Page, method: 'chunked' | 'single', inFlight = 1): Promise<MediaUploadFigure> => {
    const figure = await call(on, 'uploadMedia', method, MEDIA_FIXTURE, target, PART_BYTES, inFlight);
    sizes.add(await storedSize(api, figure.fileUuid));
    if (method === 'chunked') requests.add(figure.requests);
    await dropStoredMedia(api);
    return figure;
  };
  await call(page, 'loadFixture', MEDIA_FIXTURE);
  const runs = await alternate(['chunked', 'chunked-2', 'single', 'curl'], 2, async (method) => {
    if (method === 'chunked-2') return (await media(page, 'chunked', 2)).ms;
    if (method !== 'curl') return (await media(page, method)).ms;
    const ms = await curlUpload(api.url, path, 'application/octet-stream', {
      filename: MEDIA_FIXTURE,
      filetype: 'application/octet-stream',
      totalfilesize: String(bytes.length),
      md5,
    });
    await dropStoredMedia(api);
    return ms;
  });
  const memory = await eachInTurn(['chunked', 'single'] as const, (method) =>
    measureMemory(context, MEDIA_FIXTURE, (fresh) => media(fresh, method)),
  );
  await rm(path, { force: true });
  const throttled = await throttledRows(context);

  const section = `upload of a 256 MiB media to the reference server on loopback, in ${PART_BYTES / MiB} MiB parts (uploadMedia)`;
  const stored = [...sizes].join(', ');
  const wrongSize = sizes.size !== 1 || !sizes.has(MEDIA_BYTES);
  const chunkedMs = median(runs.chunked);
  return {
    rows: [
      row(
        section,
        'Chunked upload throughput, MD5 and every request (median of 2)',
        'curl -F, one request',
        mbPerSecond(MEDIA_BYTES, chunkedMs),
        mbPerSecond(MEDIA_BYTES, median(runs.curl)),
        goals.ratioAtLeast(0.8),
        `Ours in one request instead (uploadMedia, MD5 of the whole first): ${mbPerSecond(MEDIA_BYTES, median(runs.single)).value.toFixed(1)} MB/s, ` +
          `so parts cost ${(chunkedMs / median(runs.single)).toFixed(2)}× its time. With 2 parts in flight (partConcurrency 2): ` +
          `${mbPerSecond(MEDIA_BYTES, median(runs['chunked-2'])).value.toFixed(1)} MB/s. Requests per chunked upload: ${[...requests].join(', ')} ` +
          `(${Math.ceil(MEDIA_BYTES / PART_BYTES)} parts and the done call). Stored sizes: ${stored}${wrongSize ? `, NOT the ${MEDIA_BYTES} sent` : ''}.`,
      ),
      ...memoryRows(section, ', chunked', 'ours, one request', memory.chunked, memory.single, {
        rss: `Flat means far below the ${(MEDIA_BYTES / 1e6).toFixed(0)} MB of the file; a part read for its MD5 is ${(PART_BYTES / 1e6).toFixed(1)} MB, and parts wait for the garbage collector.`,
        heap: `ArrayBuffers of the parts are outside V8's heap: the RSS row above counts them. Chunked: ${memory.chunked.heap.samples} samples, one request: ${memory.single.heap.samples}.`,
      }),
      ...throttled.rows,
    ],
    details: {
      bytes: MEDIA_BYTES,
      partBytes: PART_BYTES,
      runsMs: runs,
      storedSizes: [...sizes],
      requests: [...requests],
      memory,
      throttled: throttled.details,
    },
  };
}

/**
 * The 64 MiB fixture over a throttled network (CDP `Network.emulateNetworkConditions`, which Chromium
 * applies to loopback too): in parts with 1, 2 and 4 in flight, against ours in one request. Once
 * each, one after the other: at 50 Mbit/s a run takes over 10 s, and the throttle, not the machine,
 * sets the time.
 */
async function throttledRows(context: Context): Promise<{ rows: Row[]; details: Record<string, number> }> {
  const { page, api } = context;
  const target = { baseUrl: api.url, token: TOKEN };
  const bytes = await call(page, 'loadFixture', RANDOM_FIXTURE);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', THROTTLED);
  const methods = ['single', ...IN_FLIGHT.map((count) => `parts-${count}` as const)] as const;
  let times: Record<(typeof methods)[number], number>;
  try {
    times = await eachInTurn(methods, async (method) => {
      const inFlight = method === 'single' ? 1 : Number(method.slice('parts-'.length));
      const kind = method === 'single' ? 'single' : 'chunked';
      const figure = await call(page, 'uploadMedia', kind, RANDOM_FIXTURE, target, PART_BYTES, inFlight);
      if ((await storedSize(api, figure.fileUuid)) !== bytes) throw new Error(`${method}: stored size is wrong`);
      await dropStoredMedia(api);
      return figure.ms;
    });
  } finally {
    await cdp.send('Network.emulateNetworkConditions', { ...THROTTLED, latency: 0, uploadThroughput: -1 });
    await cdp.detach();
  }
  const section = `upload of a ${bytes / MiB} MiB media over a throttled network (CDP: 40 ms latency, 50 Mbit/s up), in ${PART_BYTES / MiB} MiB parts`;
  const rows = IN_FLIGHT.map((count) =>
    row(
      section,
      `Chunked, ${count} part${count > 1 ? 's' : ''} in flight (uploadMedia, partConcurrency ${count})`,
      'ours in one request',
      ms(times[`parts-${count}`]),
      ms(times.single),
      undefined,
      count === 1
        ? `${mbPerSecond(bytes, times.single).value.toFixed(2)} MB/s in one request; the link carries ${(THROTTLED.uploadThroughput / 1e6).toFixed(2)} MB/s.`
        : undefined,
    ),
  );
  return { rows, details: times };
}
