import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { alternate, call, mbPerSecond, median, RANDOM_FIXTURE, type Context, type SectionResult } from '../support';
import { goals, row } from '../table';

export async function md5(context: Context): Promise<SectionResult> {
  const { page } = context;
  const bytes = await readFile(join(context.work, 'fixtures', RANDOM_FIXTURE));
  await call(page, 'loadFixture', RANDOM_FIXTURE);
  const nativeRuns: number[] = [];
  let nativeHex = '';
  for (let i = 0; i < 4; i += 1) {
    const start = performance.now();
    nativeHex = createHash('md5').update(bytes).digest('hex');
    if (i > 0) nativeRuns.push(performance.now() - start);
  }
  const hexes = new Set<string>();
  const cdp = await page.context().newCDPSession(page);
  const load = loadavg()[0]!;
  const browserRuns = await alternate(['ours', 'spark-md5', 'read-only', 'hash-only'] as const, 3, async (method) => {
    await cdp.send('HeapProfiler.collectGarbage');
    const result = await call(page, 'md5', method, RANDOM_FIXTURE);
    if (method !== 'read-only') hexes.add(result.hex);
    return result.ms;
  });
  await cdp.detach();
  if (hexes.size !== 1 || !hexes.has(nativeHex))
    throw new Error(`The MD5s differ: node ${nativeHex}, page ${[...hexes].join(', ')}`);
  const ours = median(browserRuns.ours);
  const section = 'MD5 of 64 MiB of random bytes, in the page, read in 4 MiB slices (median of 3)';
  const readOnly = mbPerSecond(bytes.length, median(browserRuns['read-only']));
  const hashOnly = mbPerSecond(bytes.length, median(browserRuns['hash-only']));
  const native = mbPerSecond(bytes.length, median(nativeRuns));
  const note =
    `Ours is dist core md5Hex; node:crypto hashes the same bytes already in memory. ` +
    `Reading the Blob's slices alone, hashing nothing: ${readOnly.value.toFixed(0)} MB/s; ` +
    `our hasher (hash-wasm) alone on the bytes already in memory, the ceiling of any way of reading: ` +
    `${hashOnly.value.toFixed(0)} MB/s (${(hashOnly.value / native.value).toFixed(2)}× node:crypto). ` +
    `Load average when the section started: ${load.toFixed(1)} on ${cpus().length} cores.`;
  return {
    rows: [
      row(
        section,
        'MD5 throughput, to the native limit',
        'node:crypto',
        mbPerSecond(bytes.length, ours),
        native,
        goals.ratioAtLeast(0.7),
        note,
      ),
      row(
        section,
        'MD5 throughput, to spark-md5',
        'spark-md5 ArrayBuffer',
        mbPerSecond(bytes.length, ours),
        mbPerSecond(bytes.length, median(browserRuns['spark-md5'])),
        goals.ratioAtLeast(2),
      ),
    ],
    details: { bytes: bytes.length, md5: nativeHex, runsMs: { ...browserRuns, 'node:crypto': nativeRuns } },
  };
}
