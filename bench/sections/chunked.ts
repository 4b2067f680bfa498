import { createHash, randomBytes } from 'node:crypto';
import { readdir, rm, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
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
import { serveSink } from '../servers';
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
  const sink = await serveSink();
  const sinkUrl = `${sink.url}/api/v2/pm/upload/`;
  const curlFields = {
    filename: MEDIA_FIXTURE,
    filetype: 'application/octet-stream',
    totalfilesize: String(bytes.length),
    md5,
  };
  // What parts cost whatever the client does, in the same run: bare XHRs (no MD5) to the reference
  // server in one request and in parts, and to a sink that does nothing; our reading and MD5 alone.
  const methods = [
    'chunked',
    'chunked-2',
    'single',
    'curl',
    'bare-one',
    'bare-parts',
    'sink-one',
    'sink-parts',
    'md5-parts',
  ] as const;
  let runs: Record<(typeof methods)[number], number[]>;
  try {
    runs = await alternate(methods, 2, async (method) => {
      if (method === 'chunked-2') return (await media(page, 'chunked', 2)).ms;
      if (method === 'chunked' || method === 'single') return (await media(page, method)).ms;
      if (method === 'md5-parts') {
        const { ms, hex } = await call(page, 'hashParts', MEDIA_FIXTURE, PART_BYTES);
        if (hex !== md5) throw new Error('hashParts: wrong MD5');
        return ms;
      }
      if (method === 'sink-one' || method === 'sink-parts') {
        const partBytes = method === 'sink-one' ? MEDIA_BYTES : PART_BYTES;
        return (await call(page, 'postSlices', MEDIA_FIXTURE, sinkUrl, TOKEN, partBytes, {})).ms;
      }
      let ms: number;
      if (method === 'bare-parts') {
        const figure = await call(page, 'postPartsBare', MEDIA_FIXTURE, target, PART_BYTES);
        sizes.add(await storedSize(api, figure.fileUuid));
        ms = figure.ms;
      } else if (method === 'bare-one') {
        const fields = Object.fromEntries(Object.entries(curlFields).map(([name, value]) => [`qq${name}`, value]));
        ms = (await call(page, 'postSlices', MEDIA_FIXTURE, `${api.url}/api/v2/pm/upload/`, TOKEN, MEDIA_BYTES, fields))
          .ms;
      } else ms = await curlUpload(api.url, path, 'application/octet-stream', curlFields);
      await dropStoredMedia(api);
      return ms;
    });
  } finally {
    await sink.close();
  }
  const memory = await eachInTurn(['chunked', 'single'] as const, (method) =>
    measureMemory(context, MEDIA_FIXTURE, (fresh) => media(fresh, method)),
  );
  await rm(path, { force: true });
  const throttled = await throttledRows(context);

  const section = `upload of a 256 MiB media to the reference server on loopback, in ${PART_BYTES / MiB} MiB parts (uploadMedia)`;
  const stored = [...sizes].join(', ');
  const wrongSize = sizes.size !== 1 || !sizes.has(MEDIA_BYTES);
  const chunkedMs = median(runs.chunked);
  const curlMs = median(runs.curl);
  const rate = (method: keyof typeof runs) => mbPerSecond(MEDIA_BYTES, median(runs[method]));
  const parts = Math.ceil(MEDIA_BYTES / PART_BYTES);
  const boundMs = median(runs['bare-one']) + median(runs['sink-parts']) - median(runs['sink-one']);
  return {
    rows: [
      row(
        section,
        'Chunked upload throughput, MD5 and every request (median of 2)',
        'curl -F, one request',
        mbPerSecond(MEDIA_BYTES, chunkedMs),
        mbPerSecond(MEDIA_BYTES, curlMs),
        goals.ratioAtLeast(0.8),
        `Ours in one request instead (uploadMedia, MD5 of the whole first): ${rate('single').value.toFixed(1)} MB/s, ` +
          `so parts cost ${(chunkedMs / median(runs.single)).toFixed(2)}× its time. With 2 parts in flight (partConcurrency 2): ` +
          `${rate('chunked-2').value.toFixed(1)} MB/s. Requests per chunked upload: ${[...requests].join(', ')} ` +
          `(${parts} parts and the done call). Stored sizes: ${stored}${wrongSize ? `, NOT the ${MEDIA_BYTES} sent` : ''}.`,
      ),
      row(
        section,
        'Floor of any client in this browser: bare XHRs, no MD5, in one request',
        'curl -F, one request',
        rate('bare-one'),
        mbPerSecond(MEDIA_BYTES, curlMs),
        undefined,
        `The browser's own cost of sending the bytes (its network process beside the server on ${cpus().length} cores).`,
      ),
      row(
        section,
        `Floor of any client in this browser: bare XHRs, no MD5, ${parts} parts in series and ?done`,
        'curl -F, one request',
        rate('bare-parts'),
        mbPerSecond(MEDIA_BYTES, curlMs),
        undefined,
        `Ours (the chunked row) takes ${(chunkedMs / median(runs['bare-parts'])).toFixed(2)}× this time; beside these, it reads and hashes the whole file (MD5), retries and reports progress.`,
      ),
      row(
        section,
        `Per-request cost of the browser: ${parts} bare XHRs of ${PART_BYTES / MiB} MiB to a loopback sink that does nothing`,
        'one bare XHR of 256 MiB to it',
        rate('sink-parts'),
        rate('sink-one'),
        undefined,
        `${((median(runs['sink-parts']) - median(runs['sink-one'])) / (parts - 1)).toFixed(1)} ms per extra request.`,
      ),
      row(
        section,
        `Bound of parts in series in this browser: one bare XHR plus its own cost of ${parts - 1} more (sink), server's per-part work at zero`,
        'curl -F, one request',
        mbPerSecond(MEDIA_BYTES, boundMs),
        mbPerSecond(MEDIA_BYTES, curlMs),
        undefined,
        `No client of this browser sending ${PART_BYTES / MiB} MiB parts one after the other can do better on this machine.`,
      ),
      row(
        section,
        `Our reading and MD5 of the ${MEDIA_BYTES / MiB} MiB part by part, alone (nothing sent)`,
        'curl -F, one request',
        rate('md5-parts'),
        mbPerSecond(MEDIA_BYTES, curlMs),
        undefined,
        `CPU the chunked upload spends beside the browser's sending and the server's work; curl's upload has no such cost.`,
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
