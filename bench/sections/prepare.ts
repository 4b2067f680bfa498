import type { PreparedFigure } from '../page/main';
import {
  alternate,
  call,
  MAX_DIMENSION,
  median,
  ms,
  PHOTOS,
  QUALITY,
  type Context,
  type Photo,
  type SectionResult,
} from '../support';
import { goals, row, type Row } from '../table';

function checkShape(figure: PreparedFigure, photo: Photo): string | undefined {
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
  await cdp.detach();
  return { rows, details };
}
