/**
 * `npm run load`: 200 clients upload thumbnails at once to a reference server started here, on an
 * ephemeral loopback port with a temp data folder; prints a table and exits 1 if any answer was
 * not 200 or 429, or any stored file differs from its record or from what was sent.
 * `npm run load -- --connections 200 --amount 1000 --max-concurrent-uploads 8`
 */
import { parseArgs } from 'node:util';
import { DEFAULT_MAX_CONCURRENT_UPLOADS } from '../server/app';
import { formatLoadReport, runUploadLoad } from '../test/load/uploadLoad';

function count(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^[1-9]\d*$/.test(value)) throw new Error(`--${name} must be a whole number above 0, not "${value}".`);
  return Number(value);
}

const { values: flags } = parseArgs({
  options: {
    connections: { type: 'string' },
    amount: { type: 'string' },
    'max-concurrent-uploads': { type: 'string' },
  },
});

try {
  const report = await runUploadLoad({
    connections: count('connections', flags.connections, 200),
    amount: count('amount', flags.amount, 1000),
    maxConcurrentUploads: count(
      'max-concurrent-uploads',
      flags['max-concurrent-uploads'],
      DEFAULT_MAX_CONCURRENT_UPLOADS,
    ),
    requestTimeoutSeconds: 10,
    maxDurationMs: 60_000,
  });
  console.log(formatLoadReport(report));
  process.exitCode = report.failures.length === 0 ? 0 : 1;
} catch (error) {
  console.error(`The load test did not run: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
