import { describe, expect, inject, it } from 'vitest';
import { server } from 'vitest/browser';
import { uploadAttachment } from '../../src/core/attachment';
import { isUploadError } from '../../src/core/errors';
import { prepareImage } from '../../src/core/prepare';
import { sniffImageType } from '../../src/core/sniff';
import { errorText } from '../../src/react/labels';
import { defaultLabels } from '../../src/react/useThumbnailUploader';
import { BLUE, GREEN, RED, YELLOW, bytesOf, readPixels, type Rgba } from './imageFixtures';
import heicUrl from '../fixtures/portrait-quadrants.heic?url';

/** The engine these tests run in, as Vitest names it: `chromium`, `firefox`, or `safari` (WebKitGTK here). */
const engine = server.browser as 'chromium' | 'firefox' | 'safari';

/**
 * Whether each engine decodes HEIC itself, as measured here: Safari does on Apple's systems, but
 * WebKitGTK 2.50 (Debian's) has no HEIF decoder, nor have Chromium 156 and Firefox ESR 153. Where it
 * does not, libheif (WebAssembly) decodes the photo. A new engine version that starts decoding HEIC
 * fails the first test, which says so.
 */
const DECODES_HEIC: Record<typeof engine, boolean> = { chromium: false, firefox: false, safari: false };

/** The fixture (test/fixtures/README.md): 64 × 48 as stored, irot 270° and EXIF orientation 6, so 48 × 64 upright. */
const heicBytes = async () => bytesOf(await (await fetch(heicUrl)).blob());

/** As Chrome and Firefox give an iPhone photo: no type (react-dropzone #966), whatever its name. */
const heicFile = async (name = 'IMG_0001.HEIC', type = '') => new File([await heicBytes()], name, { type });

/** Whether the page has loaded libheif's module (src/core/heic.ts) so far. */
const libheifLoaded = () =>
  performance.getEntriesByType('resource').some((entry) => new URL(entry.name).pathname.endsWith('/src/core/heic.ts'));

const nativeDecode = async () =>
  createImageBitmap(new Blob([await heicBytes()])).then(
    (bitmap) => (bitmap.close(), true),
    () => false,
  );

function expectColour(actual: Rgba, expected: Rgba, tolerance = 48) {
  actual.forEach((channel, i) =>
    expect(Math.abs(channel - expected[i]!), `${actual} is not ${expected}`).toBeLessThanOrEqual(tolerance),
  );
}

/** Upright: the stored picture turned a quarter clockwise, so its red top left is now the top right. */
async function expectUprightPortrait(blob: Blob, width = 48, height = 64) {
  const pixels = await readPixels(blob);
  expect([pixels.width, pixels.height]).toEqual([width, height]);
  expectColour(pixels.at(width * 0.75, height * 0.25), RED);
  expectColour(pixels.at(width * 0.75, height * 0.75), GREEN);
  expectColour(pixels.at(width * 0.25, height * 0.25), BLUE);
  expectColour(pixels.at(width * 0.25, height * 0.75), YELLOW);
}

async function expectJpeg(file: File, name: string) {
  expect(file).toMatchObject({ name, type: 'image/jpeg' });
  expect(sniffImageType(await bytesOf(file.slice(0, 64)))).toBe('image/jpeg');
}

describe(`a HEIC photo in ${engine}`, () => {
  it(`is decoded by ${DECODES_HEIC[engine] ? 'the browser itself' : 'libheif, loaded only now'}`, async () => {
    expect(libheifLoaded(), 'libheif loaded before any HEIC was chosen').toBe(false);
    expect(await nativeDecode(), `${engine} decodes HEIC itself`).toBe(DECODES_HEIC[engine]);
    await prepareImage(await heicFile());
    expect(libheifLoaded()).toBe(!DECODES_HEIC[engine]);
  });

  it('becomes an upright JPEG named .jpg, whatever its name and declared type', async () => {
    for (const [name, type] of [
      ['IMG_0001.HEIC', ''],
      ['photo.jpg', 'image/jpeg'],
      ['portrait', 'application/octet-stream'],
    ] as const) {
      const prepared = await prepareImage(await heicFile(name, type));
      await expectJpeg(prepared, `${name.replace(/\.[^.]*$/, '')}.jpg`);
      await expectUprightPortrait(prepared);
    }
  });

  it('is scaled down to maxDimension, upright', async () => {
    const prepared = await prepareImage(await heicFile(), { maxDimension: 32 });
    await expectUprightPortrait(prepared, 24, 32);
  });

  it('is decoded upright by libheif in this engine too (the path every browser without HEIC takes)', async () => {
    const { decodeHeic } = await import('../../src/core/heic');
    const bitmap = await decodeHeic(new Blob([await heicBytes()]));
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    canvas.getContext('2d')!.drawImage(bitmap, 0, 0);
    bitmap.close();
    await expectUprightPortrait(await canvas.convertToBlob({ type: 'image/png' }));
  });

  it('is refused as damaged when its bytes stop short', async () => {
    const bytes = await heicBytes();
    const error = await prepareImage(new File([bytes.subarray(0, bytes.length - 40)], 'cut.heic')).catch(
      (caught: unknown) => caught,
    );
    expect(isUploadError(error) && error.details.reason).toBe('damaged');
  });

  it(`with heic: false, ${DECODES_HEIC[engine] ? 'still goes: the browser decodes it' : 'is refused with a sentence saying what to do'}`, async () => {
    const preparing = prepareImage(await heicFile(), { heic: false });
    if (DECODES_HEIC[engine]) return expectJpeg(await preparing, 'IMG_0001.jpg');
    const error = await preparing.catch((caught: unknown) => caught);
    expect(isUploadError(error) && error.kind).toBe('invalid-file');
    if (!isUploadError(error)) return;
    expect(error.details).toMatchObject({ reason: 'heic-unsupported', fileName: 'IMG_0001.HEIC' });
    // What the widget's default labels show.
    expect(errorText(error, defaultLabels)).toBe(
      'This browser cannot read HEIC photos. Save the photo as a JPEG first (on an iPhone: Settings › Camera › Formats › Most Compatible), or open this page in Safari.',
    );
  });

  it('is stored as the original HEIC media, with the upright JPEG as its thumbnail (the reference server)', async () => {
    const baseUrl = `http://127.0.0.1:${inject('liveServerPort')}`;
    const original = await heicFile();
    const { media, thumbnail } = await uploadAttachment({ baseUrl, token: 'dev-token', file: original });
    const storedMedia = await fetch(new URL(media.file_url, baseUrl));
    expect(storedMedia.headers.get('content-type')).toBe('image/heic');
    expect(await bytesOf(await storedMedia.blob())).toEqual(await bytesOf(original));
    expect(thumbnail?.parent_file_uuid).toBe(media.file_uuid);
    const storedThumbnail = await fetch(new URL(thumbnail!.file_url, baseUrl));
    expect(storedThumbnail.headers.get('content-type')).toBe('image/jpeg');
    await expectUprightPortrait(await storedThumbnail.blob());
  });
});
