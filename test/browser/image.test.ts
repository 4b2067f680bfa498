import { afterEach, describe, expect, it, vi } from 'vitest';
import { prepareImage, sniffImageType } from '../../src/core';
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

afterEach(() => {
  vi.unstubAllGlobals();
});

const fileOf = (bytes: Blob | Uint8Array<ArrayBuffer>, name: string, type: string) => new File([bytes], name, { type });

/** Lossy encoders move colours a little; a quadrant's colour must still be unmistakable. */
function expectColour(actual: Rgba, expected: Rgba, tolerance = 48) {
  actual.forEach((channel, i) =>
    expect(Math.abs(channel - expected[i]!), `${actual} is not ${expected}`).toBeLessThanOrEqual(tolerance),
  );
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

/** Counts the page's createImageBitmap calls from now on. */
function countDecodes(): () => number {
  const decode = globalThis.createImageBitmap;
  let calls = 0;
  vi.stubGlobal('createImageBitmap', (...args: Parameters<typeof createImageBitmap>) => {
    calls += 1;
    return decode(...args);
  });
  return () => calls;
}

describe('prepareImage in Chromium', () => {
  it('sends a small PNG, JPEG or WebP (an upright JPEG too) as the very same File, never enlarged and without a worker', async () => {
    const workers = watchWorkers();
    const files = [
      fileOf(await quadrants(300, 200), 'small.png', 'image/png'),
      fileOf(await quadrants(300, 200, 'image/jpeg'), 'small.jpg', 'image/jpeg'),
      fileOf(await quadrants(300, 200, 'image/webp'), 'small.webp', 'image/webp'),
      fileOf(
        withExifOrientation(await bytesOf(await quadrants(300, 200, 'image/jpeg')), 1),
        'upright.jpg',
        'image/jpeg',
      ),
      fileOf(await quadrants(1024, 700), 'exactly-max.png', 'image/png'),
    ];
    for (const file of files) expect(await prepareImage(file), file.name).toBe(file);
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

  it('encodes a WebP as a WebP', async () => {
    const prepared = await prepareImage(fileOf(await quadrants(2000, 1500, 'image/webp'), 'photo.webp', 'image/webp'));
    expect(prepared).toMatchObject({ name: 'photo.webp', type: 'image/webp' });
    expect(sniffImageType(await bytesOf(prepared.slice(0, 64)))).toBe('image/webp');
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
      // Orientation 6 is a quarter turn clockwise: the stored top left (red) is now the top right.
      expectColour(pixels.at(width * 0.75, height * 0.25), RED);
      expectColour(pixels.at(width * 0.75, height * 0.75), GREEN);
      expectColour(pixels.at(width * 0.25, height * 0.25), BLUE);
      expectColour(pixels.at(width * 0.25, height * 0.75), YELLOW);
    },
  );

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

  it('refuses a damaged image with the message the person sees', async () => {
    const whole = await quadrants(600, 400);
    const error = await failure(prepareImage(fileOf(whole.slice(0, whole.size / 2), 'half.png', 'image/png')));
    expect(error.kind).toBe('invalid-file');
    expect(error.message).toBe('This image is damaged or incomplete and cannot be shown. Choose another copy of it.');
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

  it('in a Web Worker when the browser has one, decoding once, and ends the worker once it has answered', async () => {
    const file = await large();
    const workers = watchWorkers();
    const decodes = countDecodes();
    const prepared = await prepareImage(file);
    // A second decode would mean that the worker failed and the page did the work again.
    expect(decodes()).toBe(1);
    expect(workers.started).toHaveLength(1);
    expect(workers.terminated).toEqual(workers.started);
    await expectScaledQuadrants(prepared);
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
    // The bitmap went to the worker that never ran: the page decodes again.
    expect(decodes()).toBe(2);
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
