import { afterEach, describe, expect, it, vi } from 'vitest';
import { server } from 'vitest/browser';
import { thumbnailOf } from '../../src/core/attachment';
import { renderPdfPage } from '../../src/core/pdfPage';
import { prepareImage } from '../../src/core/prepare';
import { quadrants, readPixels, type Rgba } from './imageFixtures';
import { RECTANGLE, damagedPdf, onePagePdf, passwordPdf } from './pdfFixtures';

const pdfFile = (bytes: Uint8Array<ArrayBuffer>, name = 'report.pdf') =>
  new File([bytes], name, { type: 'application/pdf' });

const luminance = ([r, g, b]: Rgba) => 0.2126 * r + 0.7152 * g + 0.0722 * b;

/** How many points of a 16 × 16 grid over the picture are light (> 200) and dark (< 100). */
async function lightAndDark(blob: Blob) {
  const pixels = await readPixels(blob);
  let light = 0;
  let dark = 0;
  for (let i = 0; i < 16; i += 1) {
    for (let j = 0; j < 16; j += 1) {
      const value = luminance(pixels.at(((i + 0.5) * pixels.width) / 16, ((j + 0.5) * pixels.height) / 16));
      if (value > 200) light += 1;
      if (value < 100) dark += 1;
    }
  }
  return { light, dark, width: pixels.width, height: pixels.height };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe(`a PDF's first page in ${server.browser}`, () => {
  it('is drawn by pdf.js in its own worker, its longest side maxDimension, in the page’s aspect', async () => {
    const terminate = vi.spyOn(Worker.prototype, 'terminate');
    // 300 × 500 points: scaled up to 1024 px tall, 614.4 wide.
    const picture = await renderPdfPage(pdfFile(onePagePdf(300, 500)), { maxDimension: 1024, quality: 0.85 });
    const pixels = await readPixels(picture);
    expect(pixels.height).toBe(1024);
    expect(Math.abs(pixels.width - (1024 * 300) / 500)).toBeLessThanOrEqual(1);
    const red = pixels.at(pixels.width / 2, (pixels.height * (RECTANGLE.top + RECTANGLE.bottom)) / 2);
    expect(red[0]).toBeGreaterThan(200);
    expect(red[1]).toBeLessThan(60);
    expect(red[2]).toBeLessThan(60);
    // The page is white around it (pdf.js paints the page's background).
    expect(luminance(pixels.at(8, 8))).toBeGreaterThan(240);
    expect(luminance(pixels.at(pixels.width - 8, pixels.height - 8))).toBeGreaterThan(240);
    // One worker for the document, ended with it; pdf.js's own code never ran on the page (its fake worker would leave this).
    expect(terminate).toHaveBeenCalledTimes(1);
    expect(globalThis).not.toHaveProperty('pdfjsWorker');
  });

  it('becomes the thumbnail of a PDF, recognised by its bytes whatever its name, as a named JPEG', async () => {
    const job = thumbnailOf(pdfFile(onePagePdf(500, 300), 'scan'), { maxDimension: 400 });
    const picture = await job.picture;
    expect(picture).toBeInstanceOf(File);
    expect(picture).toMatchObject({ name: 'scan-thumbnail.jpg', type: 'image/jpeg' });
    const pixels = await readPixels(picture!);
    expect(pixels.width).toBe(400);
    expect(Math.abs(pixels.height - 240)).toBeLessThanOrEqual(1);
  });

  it.each([
    ['damaged', damagedPdf(), 'InvalidPDFException'],
    ['locked with a password', passwordPdf(300, 500), 'PasswordException'],
  ])('that is %s is refused by renderPdfPage, and gets the generated picture instead', async (_, bytes, refusal) => {
    await expect(renderPdfPage(pdfFile(bytes), { maxDimension: 1024, quality: 0.85 })).rejects.toMatchObject({
      name: refusal,
    });
    const picture = await thumbnailOf(pdfFile(bytes, 'contract.pdf')).picture;
    expect(picture?.name).toMatch(/^contract-thumbnail\.(webp|png)$/);
    const { width, height, light, dark } = await lightAndDark(picture!);
    // The square card, not a page of the document's aspect.
    expect([width, height]).toEqual([512, 512]);
    expect(light).toBeGreaterThan(100);
    expect(dark).toBeGreaterThan(3);
  });

  it('is given up at its deadline, and the worker with it', async () => {
    const terminate = vi.spyOn(Worker.prototype, 'terminate');
    const rendering = renderPdfPage(pdfFile(onePagePdf(300, 500)), {
      maxDimension: 1024,
      quality: 0.85,
      deadlineMs: 1,
    });
    await expect(rendering).rejects.toThrow('The PDF took too long to draw.');
    expect(terminate).toHaveBeenCalledTimes(1);
  });

  it('stops when its signal aborts', async () => {
    const controller = new AbortController();
    const rendering = renderPdfPage(pdfFile(onePagePdf(300, 500)), {
      maxDimension: 1024,
      quality: 0.85,
      signal: controller.signal,
    });
    // Before or while pdf.js works, depending on the machine: it stops either way.
    setTimeout(() => controller.abort(), 50);
    await expect(rendering).rejects.toMatchObject({ kind: 'aborted' });
  });
});

describe(`an image's thumbnail in ${server.browser}`, () => {
  it('is prepared small once: what is previewed is what is sent, and sending does not scale it again', async () => {
    const photo = new File([await quadrants(2000, 1500, 'image/jpeg', 0.9)], 'photo.jpg', { type: 'image/jpeg' });
    const picture = await thumbnailOf(photo, { maxDimension: 800 }).picture;
    const pixels = await readPixels(picture!);
    expect([pixels.width, pixels.height]).toEqual([800, 600]);
    expect(picture!.size).toBeLessThan(photo.size);
    // uploadThumbnail prepares what it sends with the same options: the small picture goes as it is.
    expect(await prepareImage(picture!, { maxDimension: 800 })).toBe(picture);
  });
});

describe(`the generated picture in ${server.browser}`, () => {
  it.each([
    ['interview.m4a', 'audio/mp4'],
    ['song.mp3', 'audio/mpeg'],
    ['photos.zip', 'application/zip'],
    ['README', ''],
    // A video this engine cannot play (here: bytes no engine plays) gets a card too.
    ['IMG_0042.MOV', 'video/quicktime'],
  ])('of %s is a square card with its glyph and text, named after its bytes', async (name, type) => {
    const picture = await thumbnailOf(new File([new Uint8Array([1, 2, 3, 4])], name, { type })).picture;
    const base = name.replace(/\.[^.]*$/, '');
    expect(picture?.name).toMatch(new RegExp(`^${base}-thumbnail\\.(webp|png)$`));
    const head = new Uint8Array(await picture!.slice(0, 4).arrayBuffer());
    expect(picture!.type).toBe(head[0] === 0x89 ? 'image/png' : 'image/webp');
    const { width, height, light, dark } = await lightAndDark(picture!);
    expect([width, height]).toEqual([512, 512]);
    // Mostly the light card, with a dark glyph and text on it.
    expect(light).toBeGreaterThan(150);
    expect(dark).toBeGreaterThan(3);
  });
});
