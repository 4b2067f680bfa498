import type { HeapPeak } from '../heap';
import {
  call,
  eachInTurn,
  MAX_DIMENSION,
  measureMemory,
  memoryRows,
  PHOTOS,
  QUALITY,
  type Context,
  type SectionResult,
} from '../support';

export async function memory(context: Context): Promise<SectionResult> {
  const photo = PHOTOS['48mp'];
  const { ours, baseline } = await eachInTurn(['ours', 'baseline'] as const, (method) =>
    measureMemory(context, photo.name, (page) => call(page, 'prepare', method, photo.name, MAX_DIMENSION, QUALITY)),
  );
  const describeHeap = (name: string, peak: HeapPeak) =>
    `${name} idle ${(peak.idleBytes / 1e6).toFixed(1)} MB, peak ${(peak.peakBytes / 1e6).toFixed(1)} MB (${peak.samples} samples, ${peak.workers} worker(s))`;
  const section = `memory while preparing the ${photo.label} (fresh page each)`;
  return {
    rows: memoryRows(section, '', 'data URL + canvas', ours, baseline, {
      rss: 'Every renderer process of the bench, peak reset before the prepare: decoded pixels, canvases and the data URL included.',
      heap:
        `${describeHeap('Ours', ours.heap)}; ${describeHeap('baseline', baseline.heap)}. ` +
        'Blink keeps a data URL as an external string and pixels in Skia: neither is in the JS heap.',
    }),
    details: { ours, baseline },
  };
}
