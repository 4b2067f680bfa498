import SparkMD5 from 'spark-md5';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { md5Hex } from '../../src/core/md5';

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

const MiB = 1024 * 1024;

/** Bytes no slice boundary can hide a mistake in: every position holds a different pattern. */
function bytesOf(size: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i += 1) bytes[i] = (i * 131 + (i >>> 11) * 7 + (i >>> 19)) & 0xff;
  return bytes;
}

/** The MD5 by another implementation, of the bytes held whole. */
const referenceMd5 = (bytes: Uint8Array<ArrayBuffer>) => SparkMD5.ArrayBuffer.hash(bytes.buffer);

/** Replaces the page's Worker with one that records what becomes of each worker started. */
function watchWorkers(Base: typeof Worker = Worker) {
  const started: Worker[] = [];
  const terminated: Worker[] = [];
  class WatchedWorker extends Base {
    constructor(url: string | URL, options?: WorkerOptions) {
      super(url, options);
      started.push(this);
    }
    override terminate() {
      terminated.push(this);
      super.terminate();
    }
  }
  vi.stubGlobal('Worker', WatchedWorker);
  return { started, terminated };
}

describe('md5Hex in Chromium', () => {
  it('hashes 21 MiB and 3 bytes (slices read by a worker) like another MD5 of the whole, and ends the worker', async () => {
    const bytes = bytesOf(21 * MiB + 3);
    const workers = watchWorkers();
    const pageReads = vi.spyOn(Blob.prototype, 'arrayBuffer');
    expect(await md5Hex(new Blob([bytes]))).toBe(referenceMd5(bytes));
    // Every slice came from the worker: none was read on the page.
    expect(pageReads).not.toHaveBeenCalled();
    expect(workers.started).toHaveLength(1);
    expect(workers.terminated).toEqual(workers.started);
  });

  it('hashes a small blob on the page, without a worker', async () => {
    const bytes = bytesOf(300_000);
    const workers = watchWorkers();
    expect(await md5Hex(new Blob([bytes]))).toBe(referenceMd5(bytes));
    expect(workers.started).toEqual([]);
  });

  it('reads on the page when the worker cannot start (as under a CSP that forbids blob: workers)', async () => {
    const bytes = bytesOf(13 * MiB + 1);
    watchWorkers(
      class extends Worker {
        constructor() {
          super(new URL('/no-such-worker.js', location.href));
        }
      },
    );
    expect(await md5Hex(new Blob([bytes]))).toBe(referenceMd5(bytes));
  });

  it('reads on the page where there is no Worker', async () => {
    const bytes = bytesOf(9 * MiB);
    vi.stubGlobal('Worker', undefined);
    expect(await md5Hex(new Blob([bytes]))).toBe(referenceMd5(bytes));
  });

  it('stops with the AbortError when aborted while hashing, and ends the worker', async () => {
    const controller = new AbortController();
    const workers = watchWorkers();
    const hashing = md5Hex(new Blob([bytesOf(64 * MiB)]), controller.signal);
    await vi.waitUntil(() => workers.started.length === 1);
    controller.abort();
    await expect(hashing).rejects.toMatchObject({ name: 'AbortError' });
    expect(workers.terminated).toEqual(workers.started);
  });
});
