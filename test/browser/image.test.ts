import { afterEach, describe, expect, it, vi } from 'vitest';
import { formatBytes } from '../../src/core/format';
import { englishSentence } from '../../src/react/labels';
import { server } from 'vitest/browser';
import { prepareImage, sniffImageType } from '../../src/core';
import { decodeAtSize, type EncodeJob } from '../../src/core/image.worker';
import { IDLE_WORKER_MS, endIdleWorkers } from '../../src/core/image';
import { sniffBlobType } from '../../src/core/validate';
import {
  BLUE,
  GREEN,
  RED,
  YELLOW,
  bytesOf,
  halfTransparentPng,
  makeBmp,
  makeGif,
  quadrants,
  readPixels,
  withExifOrientation,
  type Rgba,
} from './imageFixtures';
import { failure } from '../support/failure';
import halfTransparentWebpUrl from './fixtures/half-transparent-2000x1000.webp?url';
import quadrantsWebpUrl from './fixtures/quadrants-2000x1500.webp?url';

/** The engine these tests run in, as Vitest names it: `chromium`, `firefox`, or `safari` (WebKitGTK here). */
const engine = server.browser as 'chromium' | 'firefox' | 'safari';

/**
 * WebP files encoded by Chromium (fixtures/README.md): WebKit's encoders give PNG when asked for WebP,
 * so a WebP made at run time would be a PNG there.
 */
const storedWebp = async (url: string) => (await fetch(url)).blob();

afterEach(() => {
  // Each test starts with no worker waiting, so that it counts the workers it starts.
  endIdleWorkers();
  vi.unstubAllGlobals();
});

const fileOf = (bytes: Blob | Uint8Array<ArrayBuffer>, name: string, type: string) => new File([bytes], name, { type });

/** Lossy encoders move colours a little; a quadrant's colour must still be unmistakable. */
function expectColour(actual: Rgba, expected: Rgba, tolerance = 48) {
  actual.forEach((channel, i) =>
    expect(Math.abs(channel - expected[i]!), `${actual} is not ${expected}`).toBeLessThanOrEqual(tolerance),
  );
}

/** Orientation 6 is a quarter turn clockwise: the stored top left (red) is now the top right. */
function expectQuarterTurnClockwise(pixels: Awaited<ReturnType<typeof readPixels>>) {
  const { width, height } = pixels;
  expectColour(pixels.at(width * 0.75, height * 0.25), RED);
  expectColour(pixels.at(width * 0.75, height * 0.75), GREEN);
  expectColour(pixels.at(width * 0.25, height * 0.25), BLUE);
  expectColour(pixels.at(width * 0.25, height * 0.75), YELLOW);
}

/** The JPEG with `count` comment segments of 64 KiB after its SOI: its frame header moves that far. */
function withCommentSegments(jpeg: Uint8Array, count: number): Uint8Array<ArrayBuffer> {
  const segment = new Uint8Array(2 + 0xffff).fill(0x20);
  segment.set([0xff, 0xfe, 0xff, 0xff]);
  const out = new Uint8Array(jpeg.length + count * segment.length);
  out.set(jpeg.subarray(0, 2));
  for (let i = 0; i < count; i += 1) out.set(segment, 2 + i * segment.length);
  out.set(jpeg.subarray(2), 2 + count * segment.length);
  return out;
}

/** Replaces the page's Worker with one that records what becomes of each worker started. */
function watchWorkers(onPost?: () => void) {
  const started: Worker[] = [];
  const terminated: Worker[] = [];
  class WatchedWorker extends Worker {
    constructor(url: string | URL, options?: WorkerOptions) {
      super(url, options);
      started.push(this);
    }
    override postMessage(message: unknown, transfer?: unknown) {
      super.postMessage(message, transfer as Transferable[]);
      onPost?.();
    }
    override terminate() {
      terminated.push(this);
      super.terminate();
    }
  }
  vi.stubGlobal('Worker', WatchedWorker);
  return { started, terminated };
}

/** Counts the page's decodes from now on: createImageBitmap calls and ImageDecoders made. */
function countDecodes(): () => number {
  const decode = globalThis.createImageBitmap;
  let calls = 0;
  vi.stubGlobal('createImageBitmap', (...args: Parameters<typeof createImageBitmap>) => {
    calls += 1;
    return decode(...args);
  });
  // WebKit has no ImageDecoder.
  if (typeof ImageDecoder === 'function')
    vi.stubGlobal(
      'ImageDecoder',
      class extends ImageDecoder {
        constructor(init: ImageDecoderInit) {
          super(init);
          calls += 1;
        }
      },
    );
  return () => calls;
}

describe(`prepareImage in ${engine}`, () => {
  it('sends a small PNG, JPEG or WebP (an upright JPEG too) as the very same File, never enlarged and without a worker', async () => {
    const workers = watchWorkers();
    const files = [
      fileOf(await quadrants(300, 200), 'small.png', 'image/png'),
      fileOf(await quadrants(300, 200, 'image/jpeg'), 'small.jpg', 'image/jpeg'),
      fileOf(
        withExifOrientation(await bytesOf(await quadrants(300, 200, 'image/jpeg')), 1),
        'upright.jpg',
        'image/jpeg',
      ),
      fileOf(await quadrants(1024, 700), 'exactly-max.png', 'image/png'),
    ];
    for (const file of files) expect(await prepareImage(file), file.name).toBe(file);
    const webp = fileOf(await storedWebp(quadrantsWebpUrl), 'small-enough.webp', 'image/webp');
    expect(await prepareImage(webp, { maxDimension: 2000 })).toBe(webp);
    expect(workers.started).toEqual([]);
  });

  it('scales a 3000x1000 PNG down to 1024 wide, keeping its aspect, type and name', async () => {
    const prepared = await prepareImage(fileOf(await quadrants(3000, 1000), 'wide.png', 'image/png'));
    expect(prepared).toMatchObject({ name: 'wide.png', type: 'image/png' });
    const { width, height } = await readPixels(prepared);
    expect(width).toBe(1024);
    expect([341, 342]).toContain(height);
  });

  it('scales to the maxDimension asked', async () => {
    const prepared = await prepareImage(fileOf(await quadrants(800, 600), 'photo.png', 'image/png'), {
      maxDimension: 400,
    });
    expect(await readPixels(prepared)).toMatchObject({ width: 400, height: 300 });
  });

  it('keeps the transparency of a PNG it scales down', async () => {
    const prepared = await prepareImage(fileOf(await halfTransparentPng(2000, 1000), 'logo.png', 'image/png'));
    expect(prepared.type).toBe('image/png');
    const pixels = await readPixels(prepared);
    expect(pixels).toMatchObject({ width: 1024, height: 512 });
    expect(pixels.at(100, 256)[3]).toBe(0);
    expect(pixels.at(900, 256)).toEqual(RED);
  });

  it('encodes a JPEG as a JPEG, at the quality asked', async () => {
    const photo = fileOf(await quadrants(2000, 1500, 'image/jpeg'), 'photo.jpg', 'image/jpeg');
    const [rough, fine] = await Promise.all([
      prepareImage(photo, { quality: 0.3 }),
      prepareImage(photo, { quality: 0.95 }),
    ]);
    for (const prepared of [rough, fine]) {
      expect(prepared).toMatchObject({ name: 'photo.jpg', type: 'image/jpeg' });
      expect(sniffImageType(await bytesOf(prepared.slice(0, 64)))).toBe('image/jpeg');
      expect(await readPixels(prepared)).toMatchObject({ width: 1024, height: 768 });
    }
    expect(rough.size).toBeLessThan(fine.size);
  });

  it('encodes a WebP as a WebP, lossy or with transparency, at the size its header tells; where the browser encodes no WebP (WebKit), as a PNG named and typed so', async () => {
    // What this browser's encoder gives when asked for WebP: WebP in Chromium and Firefox, PNG in WebKit.
    const canvas = new OffscreenCanvas(2, 2);
    canvas.getContext('2d')!.fillRect(0, 0, 2, 2);
    const probe = await canvas.convertToBlob({ type: 'image/webp' });
    const encodes = sniffImageType(await bytesOf(probe.slice(0, 64)));
    expect(encodes).toBe(engine === 'safari' ? 'image/png' : 'image/webp');
    const expected =
      encodes === 'image/webp' ? { name: 'photo.webp', type: 'image/webp' } : { name: 'photo.png', type: 'image/png' };

    const photo = fileOf(await storedWebp(quadrantsWebpUrl), 'photo.webp', 'image/webp');
    const prepared = await prepareImage(photo);
    // The name, the type (and so qqfiletype) say what the bytes are.
    expect(prepared).toMatchObject(expected);
    expect(sniffImageType(await bytesOf(prepared.slice(0, 64)))).toBe(expected.type);
    expect(await readPixels(prepared)).toMatchObject({ width: 1024, height: 768 });

    const logo = fileOf(await storedWebp(halfTransparentWebpUrl), 'logo.webp', 'image/webp');
    const pixels = await readPixels(await prepareImage(logo));
    expect(pixels).toMatchObject({ width: 1024, height: 512 });
    expect(pixels.at(100, 256)[3]).toBe(0);
    expectColour(pixels.at(900, 256), RED);
  });

  it.each([
    ['MM', 400, 300, 300, 400],
    ['II', 2000, 1500, 768, 1024],
  ] as const)(
    'turns a JPEG with EXIF orientation 6 (%s byte order) upright, once: %ix%i landscape bytes come out %ix%i',
    async (byteOrder, storedWidth, storedHeight, width, height) => {
      const jpeg = withExifOrientation(
        await bytesOf(await quadrants(storedWidth, storedHeight, 'image/jpeg', 0.95)),
        6,
        byteOrder,
      );
      const file = fileOf(jpeg, 'portrait.jpg', 'image/jpeg');

      const prepared = await prepareImage(file);

      // Small or not, the orientation is baked into the pixels: a viewer that ignores EXIF shows it upright too.
      expect(prepared).not.toBe(file);
      expect(prepared.type).toBe('image/jpeg');
      // Read back with EXIF applied: were the orientation still in the file, this would turn it a second time.
      const pixels = await readPixels(prepared);
      expect(pixels).toMatchObject({ width, height });
      expectQuarterTurnClockwise(pixels);
    },
  );

  it('turns a JPEG with EXIF orientation 6 upright, once, where createImageBitmap scales it (no ImageDecoder, as in Safari)', async () => {
    vi.stubGlobal('ImageDecoder', undefined);
    vi.stubGlobal('Worker', undefined);
    const jpeg = withExifOrientation(await bytesOf(await quadrants(2000, 1500, 'image/jpeg', 0.95)), 6);
    const prepared = await prepareImage(fileOf(jpeg, 'portrait.jpg', 'image/jpeg'));
    const pixels = await readPixels(prepared);
    expect(pixels).toMatchObject({ width: 768, height: 1024 });
    expectQuarterTurnClockwise(pixels);
  });

  it('scales a JPEG whose metadata hides its size past the first 256 KiB: decoded on the page to learn it', async () => {
    const jpeg = withCommentSegments(await bytesOf(await quadrants(2000, 1500, 'image/jpeg', 0.95)), 5);
    expect(jpeg.length).toBeGreaterThan(256 * 1024);
    const decodes = countDecodes();
    const prepared = await prepareImage(fileOf(jpeg, 'padded.jpg', 'image/jpeg'));
    expect(decodes()).toBe(1);
    const pixels = await readPixels(prepared);
    expect(pixels).toMatchObject({ width: 1024, height: 768 });
    expectColour(pixels.at(256, 192), RED);
    expectColour(pixels.at(768, 576), YELLOW);
  });

  it('passes a GIF through byte for byte, animated and larger than maxDimension', async () => {
    const gif = makeGif(1500, 20);
    const file = fileOf(gif, 'anim.gif', 'image/gif');
    expect(await readPixels(file)).toMatchObject({ width: 1500, height: 20 });

    const prepared = await prepareImage(file);

    expect(prepared).toBe(file);
    expect(await bytesOf(prepared)).toEqual(gif);
  });

  it('turns a BMP into a PNG named .png, with the same pixels', async () => {
    const prepared = await prepareImage(fileOf(makeBmp(40, 30), 'scan.bmp', 'image/bmp'));
    expect(prepared).toMatchObject({ name: 'scan.png', type: 'image/png' });
    expect(sniffImageType(await bytesOf(prepared.slice(0, 64)))).toBe('image/png');
    const pixels = await readPixels(prepared);
    expect(pixels).toMatchObject({ width: 40, height: 30 });
    expect([pixels.at(5, 5), pixels.at(35, 5), pixels.at(5, 25), pixels.at(35, 25)]).toEqual([
      RED,
      GREEN,
      BLUE,
      YELLOW,
    ]);
  });

  it.each([
    ['a small PNG, sent as it is', 600, 400, 'image/png'],
    ['a large PNG, decoded at size in the worker', 3000, 2000, 'image/png'],
    ['a large JPEG, decoded at size in the worker', 3000, 2000, 'image/jpeg'],
  ])('refuses a damaged image (%s) with the message the person sees', async (_, width, height, type) => {
    const whole = await quadrants(width, height, type);
    const error = await failure(prepareImage(fileOf(whole.slice(0, whole.size / 2), 'half', type)));
    expect(error.kind).toBe('invalid-file');
    // The reason lets the widget say it in the person's language.
    expect(error.details.reason).toBe('damaged');
    expect(englishSentence({ kind: error.kind, ...error.details }, formatBytes, 'image')).toBe(
      'This image is damaged or incomplete and cannot be shown. Choose another copy of it.',
    );
  });

  it('refuses a WebP cut short, decoded at size in the worker, as damaged', async () => {
    const whole = await storedWebp(quadrantsWebpUrl);
    const error = await failure(prepareImage(fileOf(whole.slice(0, whole.size / 2), 'half.webp', 'image/webp')));
    expect(error).toMatchObject({ kind: 'invalid-file', details: { reason: 'damaged' } });
  });

  it('takes a whole PNG, JPEG or WebP with bytes after its end (as some apps append), as it is', async () => {
    const trailer = new TextEncoder().encode('appended by an app');
    for (const [name, type] of [
      ['tail.png', 'image/png'],
      ['tail.jpg', 'image/jpeg'],
    ] as const) {
      const file = fileOf(new Blob([await quadrants(300, 200, type), trailer]), name, type);
      expect(await prepareImage(file), name).toBe(file);
    }
    const webp = fileOf(new Blob([await storedWebp(quadrantsWebpUrl), trailer]), 'tail.webp', 'image/webp');
    expect(await prepareImage(webp, { maxDimension: 2000 })).toBe(webp);
    // An end three read windows before the file's (a motion photo's video, say), found all the same.
    const far = fileOf(
      new Blob([await quadrants(300, 200, 'image/jpeg'), new Uint8Array(700 * 1024)]),
      'far.jpg',
      'image/jpeg',
    );
    expect(await prepareImage(far)).toBe(far);
  });

  it('sends the file as it is where the browser cannot decode images (jsdom, Node)', async () => {
    const file = fileOf(makeBmp(2000, 10), 'scan.bmp', 'image/bmp');
    vi.stubGlobal('createImageBitmap', undefined);
    expect(await prepareImage(file)).toBe(file);
  });
});

describe('where prepareImage does the work', () => {
  const large = async () => fileOf(await quadrants(2000, 1500), 'large.png', 'image/png');
  const expectScaledQuadrants = async (prepared: File) => {
    const pixels = await readPixels(prepared);
    expect(pixels).toMatchObject({ width: 1024, height: 768 });
    expect([pixels.at(256, 192), pixels.at(768, 192), pixels.at(256, 576), pixels.at(768, 576)]).toEqual([
      RED,
      GREEN,
      BLUE,
      YELLOW,
    ]);
  };

  it('in a Web Worker when the browser has one, which decodes it (the page decodes nothing), serves the next image and ends once idle', async () => {
    const workers = watchWorkers();
    const decodes = countDecodes();
    const prepared = await prepareImage(await large());
    // A decode on the page would mean that the worker failed and the page did the work again.
    expect(decodes()).toBe(0);
    expect(workers.started).toHaveLength(1);
    await expectScaledQuadrants(prepared);
    await expectScaledQuadrants(await prepareImage(await large()));
    expect(workers.started).toHaveLength(1);
    expect(workers.terminated).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, IDLE_WORKER_MS + 200));
    expect(workers.terminated).toEqual(workers.started);
  });

  it('starts a second worker for two images at once, and keeps no more than two waiting', async () => {
    const workers = watchWorkers();
    await Promise.all([1, 2, 3].map(async () => prepareImage(await large())));
    expect(workers.started).toHaveLength(3);
    expect(workers.terminated).toHaveLength(1);
  });

  it('decodes nothing again for a file it made or checked, as an attachment sends its thumbnail; a smaller maxDimension scales it', async () => {
    const made = await prepareImage(await large());
    const small = fileOf(await quadrants(300, 200), 'small.png', 'image/png');
    expect(await prepareImage(small)).toBe(small);
    const decodes = countDecodes();
    const workers = watchWorkers();
    expect(await prepareImage(made)).toBe(made);
    expect(await prepareImage(made, { maxDimension: 1500 })).toBe(made);
    expect(await prepareImage(small)).toBe(small);
    expect(decodes()).toBe(0);
    expect(workers.started).toEqual([]);
    const smaller = await prepareImage(made, { maxDimension: 512 });
    expect(await readPixels(smaller)).toMatchObject({ width: 512, height: 384 });
  });

  it('knows the type of a file it made or checked without reading it again, as uploadThumbnail checks it', async () => {
    const made = await prepareImage(await large());
    const small = fileOf(await quadrants(300, 200), 'small.png', 'image/png');
    expect(await prepareImage(small)).toBe(small);
    const reads = vi.spyOn(Blob.prototype, 'slice');
    expect(await sniffBlobType(made)).toBe(made.type);
    expect(await sniffBlobType(small)).toBe('image/png');
    expect(reads).not.toHaveBeenCalled();
    reads.mockRestore();
  });

  it("reads an image's head once: its structure is checked from the bytes its size was read from", async () => {
    for (const file of [await large(), fileOf(await quadrants(2000, 1500, 'image/jpeg'), 'large.jpg', 'image/jpeg')]) {
      const reads = vi.spyOn(Blob.prototype, 'slice');
      await prepareImage(file);
      const starts = reads.mock.contexts.flatMap((blob, i) => (blob === file ? [reads.mock.calls[i]![0] ?? 0] : []));
      reads.mockRestore();
      // Both are smaller than the head (256 KiB): nothing else is read of them on the page.
      expect(file.size).toBeLessThan(256 * 1024);
      expect(starts, file.type).toEqual([0]);
    }
  });

  it('on the page with an OffscreenCanvas when there is no Worker', async () => {
    const file = await large();
    vi.stubGlobal('Worker', undefined);
    await expectScaledQuadrants(await prepareImage(file));
  });

  it('on the page with a <canvas> when there is no OffscreenCanvas', async () => {
    const file = await large();
    vi.stubGlobal('OffscreenCanvas', undefined);
    const prepared = await prepareImage(file);
    vi.unstubAllGlobals();
    await expectScaledQuadrants(prepared);
  });

  it('on the page when the worker cannot start (as under a CSP that forbids blob: workers)', async () => {
    const file = await large();
    vi.stubGlobal(
      'Worker',
      class extends Worker {
        constructor() {
          super(new URL('/no-such-worker.js', location.href));
        }
      },
    );
    const decodes = countDecodes();
    const prepared = await prepareImage(file);
    // The file (not a bitmap) went to the worker that never ran: the page decodes it, once.
    expect(decodes()).toBe(1);
    await expectScaledQuadrants(prepared);
  });
});

describe('cancelling prepareImage', () => {
  it('rejects with kind aborted when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const error = await failure(
      prepareImage(fileOf(await quadrants(300, 200), 'a.png', 'image/png'), { signal: controller.signal }),
    );
    expect(error.kind).toBe('aborted');
  });

  it('ends the worker and rejects with kind aborted when cancelled while the worker encodes', async () => {
    const file = fileOf(await quadrants(4000, 3000), 'big.png', 'image/png');
    const controller = new AbortController();
    const workers = watchWorkers(() => controller.abort());

    const error = await failure(prepareImage(file, { signal: controller.signal }));

    expect(error.kind).toBe('aborted');
    expect(workers.started).toHaveLength(1);
    expect(workers.terminated).toEqual(workers.started);
  });
});

describe('decoding at the size sent (image.worker.ts)', () => {
  /** As drawn: a VideoFrame's display size has its orientation applied. */
  const sizeOf = (image: ImageBitmap | VideoFrame) =>
    image instanceof VideoFrame ? [image.displayWidth, image.displayHeight] : [image.width, image.height];
  const job = (source: Blob, width: number, height: number, jpeg?: EncodeJob['jpeg']): EncodeJob => ({
    source,
    width,
    height,
    jpeg,
    type: 'image/jpeg',
    quality: 0.85,
  });

  // Each engine takes its best path. Chromium's ImageDecoder decodes a JPEG at a DCT scale n/8; Firefox's
  // decodes it straight to the size asked (one pixel more than 3/8, see decodeJpegScaled); WebKit has no
  // ImageDecoder, so createImageBitmap decodes and resizes it to the size sent.
  it('decodes a large JPEG at about the size sent, never whole', async () => {
    const file = await quadrants(4000, 3000, 'image/jpeg');
    const frame = await decodeAtSize(job(file, 1024, 768, { width: 4000, height: 3000, orientation: 1 }));
    const expected = { chromium: [1500, 1125], firefox: [1501, 1126], safari: [1024, 768] }[engine];
    expect(sizeOf(frame)).toEqual(expected);
    expect(frame instanceof VideoFrame, 'decoded by ImageDecoder').toBe(engine !== 'safari');
    frame.close();
  });

  // Firefox's VideoFrame carries no rotation: an EXIF-rotated JPEG goes to createImageBitmap there too.
  it('gives the picture upright from a JPEG with EXIF orientation 6', async () => {
    const jpeg = withExifOrientation(await bytesOf(await quadrants(4000, 3000, 'image/jpeg')), 6);
    const frame = await decodeAtSize(job(new Blob([jpeg]), 768, 1024, { width: 4000, height: 3000, orientation: 6 }));
    expect(sizeOf(frame)).toEqual(engine === 'chromium' ? [1125, 1500] : [768, 1024]);
    frame.close();
  });

  it('decodes any other image straight to the size sent', async () => {
    const bitmap = await decodeAtSize(job(await quadrants(3000, 1000), 1024, 341));
    expect(sizeOf(bitmap)).toEqual([1024, 341]);
    bitmap.close();
  });
});
