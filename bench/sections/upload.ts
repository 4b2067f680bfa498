import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { UploadTarget } from '../page/main';
import {
  alternate,
  call,
  createMedia,
  curlUpload,
  mbPerSecond,
  median,
  MiB,
  storedSize,
  TOKEN,
  UPLOAD_FIXTURE,
  type Context,
  type SectionResult,
} from '../support';
import { goals, row } from '../table';

export async function upload(context: Context): Promise<SectionResult> {
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
        mbPerSecond(bytes.length, median(runs.ours)),
        mbPerSecond(bytes.length, median(runs.curl)),
        goals.ratioAtLeast(0.8),
        note,
      ),
    ],
    details: { bytes: bytes.length, runsMs: runs, wholeCallMs: whole, storedSizes: [...sizes] },
  };
}
