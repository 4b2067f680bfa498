import { updateInPieces } from '../../src/core/hashWasmMd5';
import { md5Hex } from '../../src/core/md5';
import { md5Of } from '../fixtures';

describe('md5Hex', () => {
  it('hashes a file larger than one slice exactly like node:crypto', async () => {
    const bytes = new Uint8Array(9 * 1024 * 1024 + 7);
    for (let i = 0; i < bytes.length; i += 1) bytes[i] = (i * 31 + (i >> 8)) & 0xff;
    expect(await md5Hex(new Blob([bytes]))).toBe(md5Of(bytes));
  });

  it('hashes in a task of its own, never in the one the bytes arrived in', async () => {
    // Bytes often arrive in a microtask of another task (an upload's answer): hashing them there
    // would make that task long.
    const pieces: number[] = [];
    const hashing = updateInPieces({ update: (piece) => pieces.push(piece.length) }, new ArrayBuffer(600 * 1024));
    for (let microtask = 0; microtask < 20; microtask += 1) await null;
    expect(pieces).toEqual([]);
    await hashing;
    expect(pieces).toEqual([256 * 1024, 256 * 1024, 88 * 1024]);
  });

  it('lets the page run between pieces once hashing has held it for 8 ms, and not before', async () => {
    let yields = 0;
    const scheduler = {
      yield: () => {
        yields += 1;
        return new Promise<void>((resolve) => setTimeout(resolve));
      },
    };
    vi.stubGlobal('scheduler', scheduler);
    try {
      const busy = (ms: number) => {
        for (const start = performance.now(); performance.now() - start < ms;);
      };
      // 10 pieces of 256 KiB: all within 8 ms at once when hashing is fast, one a task when each takes 10 ms.
      await updateInPieces({ update: () => undefined }, new ArrayBuffer(2560 * 1024));
      // One, before the first piece (a stall of the machine itself may add one).
      expect(yields).toBeLessThan(4);
      yields = 0;
      await updateInPieces({ update: () => busy(10) }, new ArrayBuffer(2560 * 1024));
      expect(yields).toBe(10);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('hashes an empty blob', async () => {
    expect(await md5Hex(new Blob([]))).toBe('d41d8cd98f00b204e9800998ecf8427e');
  });

  it('stops when aborted', async () => {
    await expect(md5Hex(new Blob([new Uint8Array(10)]), AbortSignal.abort())).rejects.toMatchObject({
      name: 'AbortError',
    });
  });

  it('reads a blob once for all who ask its MD5, even while it is being read', async () => {
    const bytes = new Uint8Array(3 * 1024 * 1024).fill(9);
    const counted = countingReads(new Blob([bytes]));
    const both = Promise.all([md5Hex(counted.blob), md5Hex(counted.blob)]);
    counted.open();
    const [first, second] = await both;
    expect(await md5Hex(counted.blob)).toBe(first);
    expect([first, second]).toEqual([md5Of(bytes), md5Of(bytes)]);
    expect(counted.reads()).toBe(1);
  });

  it('goes on for the others when one who asked aborts; stops once all have, and reads again when asked anew', async () => {
    const bytes = new Uint8Array(3 * 1024 * 1024).fill(5);
    const counted = countingReads(new Blob([bytes]));
    const leaving = new AbortController();
    const left = md5Hex(counted.blob, leaving.signal);
    const staying = md5Hex(counted.blob);
    await vi.waitFor(() => expect(counted.reads()).toBe(1));
    leaving.abort(new DOMException('Cancelled', 'AbortError'));
    await expect(left).rejects.toMatchObject({ name: 'AbortError' });
    counted.open();
    expect(await staying).toBe(md5Of(bytes));
    expect(counted.reads()).toBe(1);

    const other = countingReads(new Blob([bytes]));
    const everyone = new AbortController();
    const asked = [md5Hex(other.blob, everyone.signal), md5Hex(other.blob, everyone.signal)];
    await vi.waitFor(() => expect(other.reads()).toBe(1));
    everyone.abort(new DOMException('Cancelled', 'AbortError'));
    for (const each of asked) await expect(each).rejects.toMatchObject({ name: 'AbortError' });
    other.open();
    expect(await md5Hex(other.blob)).toBe(md5Of(bytes));
    expect(other.reads()).toBe(2);
  });
});

/** Counts the readings of a blob from its start (one per MD5 computed); its bytes come once `open` is called. */
function countingReads(blob: Blob) {
  let reads = 0;
  let open = () => {};
  const opened = new Promise<void>((resolve) => (open = resolve));
  const slice = blob.slice.bind(blob);
  blob.slice = (start?: number, end?: number, type?: string) => {
    if ((start ?? 0) === 0) reads += 1;
    const part = slice(start, end, type);
    part.arrayBuffer = async () => {
      await opened;
      return Blob.prototype.arrayBuffer.call(part);
    };
    return part;
  };
  return { blob, reads: () => reads, open };
}
