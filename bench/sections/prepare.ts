import type { CDPSession } from 'playwright-core';
import type { PreparedFigure } from '../page/main';
import {
  alternate,
  call,
  HEIC_PHOTO,
  MAX_DIMENSION,
  median,
  ms,
  PHOTOS,
  QUALITY,
  type Context,
  missing,
  type Photo,
  type SectionResult,
} from '../support';
import { goals, row, type Row } from '../table';

function checkShape(
  figure: PreparedFigure,
  photo: Pick<Photo, 'width' | 'height' | 'orientation'>,
): string | undefined {
  const portrait = photo.orientation >= 5;
  const [long, short] = [MAX_DIMENSION, Math.round((MAX_DIMENSION * photo.height) / photo.width)];
  const expected = portrait ? { width: short, height: long } : { width: long, height: short };
  const ok = Math.abs(figure.width - expected.width) <= 1 && Math.abs(figure.height - expected.height) <= 1;
  return ok ? undefined : `${figure.width}×${figure.height}, expected ${expected.width}×${expected.height}`;
}

export async function prepare(context: Context): Promise<SectionResult> {
  const { page } = context;
  const cdp = await page.context().newCDPSession(page);
  const section = `prepare time to a ${MAX_DIMENSION} px longest side, quality ${QUALITY}`;
  const rows: Row[] = [];
  const details: Record<string, unknown> = {};
  for (const photo of Object.values(PHOTOS)) {
    await call(page, 'loadFixture', photo.name);
    const problems = new Set<string>();
    const outputs: Record<string, PreparedFigure> = {};
    const runs = await alternate(['ours', 'baseline'], photo.runs, async (method) => {
      await cdp.send('HeapProfiler.collectGarbage');
      const figure = await call(page, 'prepare', method, photo.name, MAX_DIMENSION, QUALITY);
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
    rows.push(
      row(
        section,
        `Prepare ${photo.label} (median of ${photo.runs})`,
        'data URL + <img> + canvas',
        ms(median(runs.ours)),
        ms(median(runs.baseline)),
        goals.ratioAtMost(0.5),
        notes.length ? notes.join(' ') : undefined,
      ),
    );
    details[photo.name] = { runsMs: runs, outputs, difference };
  }
  const heic = await prepareHeic(context, cdp, section);
  rows.push(heic.row);
  details[HEIC_PHOTO.name] = heic.details;
  await cdp.detach();
  return { rows, details };
}

/**
 * Ours on the 12 MP photo as an iPhone's HEIC against ours on the same photo as a JPEG, in the same run:
 * Chromium cannot decode HEIC, so libheif (WebAssembly) does. Its first use, which loads the chunk and
 * compiles the WebAssembly, is timed apart.
 */
async function prepareHeic(
  { page }: Context,
  cdp: CDPSession,
  section: string,
): Promise<{ row: Row; details: unknown }> {
  const jpeg = PHOTOS['12mp'];
  const what = `Prepare ${HEIC_PHOTO.label} (median of ${HEIC_PHOTO.runs})`;
  const against = `ours on the ${jpeg.label}`;
  const loaded = await call(page, 'loadFixture', HEIC_PHOTO.name).then(
    () => true,
    () => false,
  );
  if (!loaded) {
    const why = 'no HEIC made (the log says why; it needs apt-get install -y libheif-examples libjpeg-turbo-progs)';
    return { row: row(section, what, against, missing(why), missing(why)), details: { missing: why } };
  }
  await call(page, 'loadFixture', jpeg.name);
  const names = { heic: HEIC_PHOTO.name, jpeg: jpeg.name } as const;
  const problems = new Set<string>();
  const prepareOne = async (kind: keyof typeof names) => {
    await cdp.send('HeapProfiler.collectGarbage');
    const figure = await call(page, 'prepare', 'ours', names[kind], MAX_DIMENSION, QUALITY);
    const problem = checkShape(figure, kind === 'heic' ? HEIC_PHOTO : jpeg);
    if (problem) problems.add(`${kind} gave ${problem}`);
    if (figure.type !== 'image/jpeg') problems.add(`${kind} gave ${figure.type}`);
    return figure.ms;
  };
  const firstMs = await prepareOne('heic');
  const runs = await alternate(['heic', 'jpeg'], HEIC_PHOTO.runs, prepareOne);
  const note = [
    `First HEIC of the page (loading libheif's chunk, compiling its WebAssembly): ${Math.round(firstMs)} ms.`,
    'The HEIC is decoded whole on the page (libheif has no scaled decode), then scaled and encoded as a JPEG like any photo.',
    ...(problems.size ? [`Wrong output: ${[...problems].join('; ')}.`] : []),
  ].join(' ');
  return {
    row: row(section, what, against, ms(median(runs.heic)), ms(median(runs.jpeg)), undefined, note),
    details: { firstMs, runsMs: runs },
  };
}
