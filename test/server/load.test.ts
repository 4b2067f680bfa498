// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { runUploadLoad } from '../load/uploadLoad';

describe('load (npm run load, smaller)', () => {
  it('answers 50 clients uploading at once only with 200 or 429, and stores every 200 byte for byte', async () => {
    const report = await runUploadLoad({ connections: 50, amount: 200, maxConcurrentUploads: 2, maxDurationMs: 8000 });
    expect(report.failures).toEqual([]);
    expect(report.ok + report.busy).toBe(200);
    // A limit of 2 under 50 clients must refuse some, and must still let some through.
    expect(report.busy).toBeGreaterThan(0);
    expect(report.ok).toBeGreaterThan(0);
    expect(report.checkedFiles).toBe(report.ok);
    expect(report.p99Ms).toBeGreaterThanOrEqual(report.p50Ms);
  }, 10_000);
});
