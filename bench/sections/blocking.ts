import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BlockingFigure, Method, UploadTarget } from '../page/main';
import {
  call,
  eachInTurn,
  createMedia,
  MAX_DIMENSION,
  ms,
  onFreshPage,
  PHOTOS,
  QUALITY,
  storedSize,
  TOKEN,
  type Context,
  type SectionResult,
} from '../support';
import { goals, row } from '../table';

export async function blocking(context: Context): Promise<SectionResult> {
  const photo = PHOTOS['48mp'];
  const target: UploadTarget = { baseUrl: context.api.url, token: TOKEN, parentUuid: await createMedia(context.api) };
  // A fresh page for each run: the first prepare of a page is what a person meets.
  const all = await eachInTurn(['ours', 'baseline'] as const, async (method) => {
    const figures: Array<BlockingFigure & { storedBytes?: number }> = [];
    for (let i = 0; i < 2; i += 1) {
      const figure = await onFreshPage(context, async (page) => {
        await call(page, 'loadFixture', photo.name);
        return call(page, 'prepareAndUpload', method, photo.name, target, MAX_DIMENSION, QUALITY);
      });
      figures.push({ ...figure, storedBytes: await storedSize(context.api, figure.fileUuid) });
    }
    return figures;
  });
  const worst = (method: Method) => all[method].reduce((a, b) => (b.longestTaskMs > a.longestTaskMs ? b : a));
  const [ours, baseline] = [worst('ours'), worst('baseline')];
  const section = `main thread while preparing and uploading the ${photo.label} (worst of 2 fresh pages)`;
  const against = 'data URL + canvas + spark-md5 + XHR';
  const originalBytes = (await readFile(join(context.work, 'fixtures', photo.name))).length;
  const stored = (method: Method) => [...new Set(all[method].map((figure) => figure.storedBytes))].join(', ');
  const oursSentOriginal = all.ours.some((figure) => figure.storedBytes === originalBytes);
  const wallNote =
    `Wall time of the whole prepare + upload: ours ${ours.wallMs.toFixed(0)} ms, baseline ${baseline.wallMs.toFixed(0)} ms.` +
    (oursSentOriginal ? ' Ours sent the original bytes: uploadThumbnail did not prepare the image.' : '');
  return {
    rows: [
      row(
        section,
        'Longest task (PerformanceObserver longtask)',
        against,
        ms(ours.longestTaskMs),
        ms(baseline.longestTaskMs),
        goals.oursAtMost(50, 'ms'),
        `Ours is the built uploadThumbnail given the original (validate, prepare, MD5, XHR, as the widget does). Stored bytes: ours ${stored('ours')}, baseline ${stored('baseline')}.`,
      ),
      row(
        section,
        'Total blocking time (sum of task time over 50 ms)',
        against,
        ms(ours.totalBlockingMs),
        ms(baseline.totalBlockingMs),
        undefined,
        wallNote,
      ),
    ],
    details: { originalBytes, runs: all },
  };
}
