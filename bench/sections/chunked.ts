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
  storedSize,
  TOKEN,
  type Context,
  type SectionResult,
} from '../support';
import { row } from '../table';

/** Made only when this section runs. */
const MEDIA_FIXTURE = 'media-256m.bin';
const PART_BYTES = 5 * MiB;

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
  const media = async (on: Page, method: 'chunked' | 'single'): Promise<MediaUploadFigure> => {
    const figure = await call(on, 'uploadMedia', method, MEDIA_FIXTURE, target, PART_BYTES);
    sizes.add(await storedSize(api, figure.fileUuid));
    if (method === 'chunked') requests.add(figure.requests);
    await dropStoredMedia(api);
    return figure;
  };
  await call(page, 'loadFixture', MEDIA_FIXTURE);
  const runs = await alternate(['chunked', 'single', 'curl'], 2, async (method) => {
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
        undefined,
        `Ours in one request instead (uploadMedia, MD5 of the whole first): ${mbPerSecond(MEDIA_BYTES, median(runs.single)).value.toFixed(1)} MB/s, ` +
          `so parts cost ${(chunkedMs / median(runs.single)).toFixed(2)}× its time. Requests per chunked upload: ${[...requests].join(', ')} ` +
          `(${Math.ceil(MEDIA_BYTES / PART_BYTES)} parts and the done call). Stored sizes: ${stored}${wrongSize ? `, NOT the ${MEDIA_BYTES} sent` : ''}.`,
      ),
      ...memoryRows(section, ', chunked', 'ours, one request', memory.chunked, memory.single, {
        rss: `Flat means far below the ${(MEDIA_BYTES / 1e6).toFixed(0)} MB of the file; a part read for its MD5 is ${(PART_BYTES / 1e6).toFixed(1)} MB, and parts wait for the garbage collector.`,
        heap: `ArrayBuffers of the parts are outside V8's heap: the RSS row above counts them. Chunked: ${memory.chunked.heap.samples} samples, one request: ${memory.single.heap.samples}.`,
      }),
    ],
    details: {
      bytes: MEDIA_BYTES,
      partBytes: PART_BYTES,
      runsMs: runs,
      storedSizes: [...sizes],
      requests: [...requests],
      memory,
    },
  };
}
