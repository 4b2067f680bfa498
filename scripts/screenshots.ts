/**
 * `npm run screenshots`: the product pictures in docs/, taken from the real widget in the real
 * browser. Builds Storybook into a temporary directory (or uses `--from <dir>`, an existing
 * `storybook build` output), serves it on a loopback port, opens each story below in Debian's
 * Chromium, waits until its play function has brought the widget to its state, and screenshots the
 * widget with some of the page around it. `docs/widget.png`, for the top of the README, puts four
 * of them side by side.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from '../test/support/chromium';

interface Shot {
  /** File name in docs/. */
  file: string;
  /** Storybook story id (`title--name`, kebab-cased). */
  story: string;
  /** The `data-state` the widget must show once the play function is done. */
  state: string;
  /** Shots of one widget share one frame size; the attachment list is taller than the thumbnail widget. */
  widget?: 'attachments';
}

const SHOTS: Shot[] = [
  { file: 'empty.png', story: 'thumbnailuploader-states--empty', state: 'idle' },
  { file: 'previewing.png', story: 'thumbnailuploader-states--previewing', state: 'previewing' },
  { file: 'uploading.png', story: 'thumbnailuploader-states--uploading', state: 'uploading' },
  { file: 'uploaded.png', story: 'thumbnailuploader-states--uploaded', state: 'uploaded' },
  { file: 'error.png', story: 'thumbnailuploader-errors--network', state: 'error' },
  { file: 'dark.png', story: 'thumbnailuploader-dark-theme--uploaded', state: 'uploaded' },
  {
    file: 'attachments.png',
    story: 'attachmentuploader-states--mixed-files',
    state: 'uploading',
    widget: 'attachments',
  },
  {
    file: 'attachments-error.png',
    story: 'attachmentuploader-states--one-failing',
    state: 'error',
    widget: 'attachments',
  },
  {
    file: 'attachments-dark.png',
    story: 'attachmentuploader-states--generated-pictures-dark',
    state: 'uploaded',
    widget: 'attachments',
  },
];

/** The shots side by side in docs/widget.png, left to right. */
const COMBINED = ['empty.png', 'uploading.png', 'uploaded.png', 'dark.png'];

const OUT_DIR = resolve(import.meta.dirname, '..', 'docs');
/** Page around the widget in each picture, in CSS pixels. */
const MARGIN = 28;
const SCALE = 2;
/** Beyond this a picture is too heavy for the repository: the script fails instead of writing it. */
const MAX_BYTES = 300 * 1024;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

async function main(): Promise<void> {
  const started = performance.now();
  const { values } = parseArgs({ options: { from: { type: 'string' } } });
  const scratch = await mkdtemp(join(tmpdir(), 'rtu-screenshots-'));
  let server: StaticServer | undefined;
  let browser: Browser | undefined;
  try {
    const storybookDir = values.from ? resolve(values.from) : await buildStorybook(join(scratch, 'storybook'));
    server = await serveStatic(storybookDir);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const context = await browser.newContext({
      viewport: { width: 640, height: 1000 },
      deviceScaleFactor: SCALE,
      colorScheme: 'light',
      reducedMotion: 'reduce',
    });

    // All stories at once: each waits on its own play function (some on automatic retries).
    const pages = await Promise.all(
      SHOTS.map(async (shot) => ({ shot, page: await openStory(await context.newPage(), server!.url, shot) })),
    );

    // One frame per widget: as wide as the widget and as tall as its tallest state, the widget centred in it.
    const boxes = await Promise.all(pages.map(({ page }) => widgetBox(page)));
    const frameOf = (widget: Shot['widget']) => {
      const same = boxes.filter((_, index) => SHOTS[index]!.widget === widget);
      return {
        width: Math.ceil(Math.max(...same.map((box) => box.width))) + 2 * MARGIN,
        height: Math.ceil(Math.max(...same.map((box) => box.height))) + 2 * MARGIN,
      };
    };
    const { width } = frameOf(undefined);

    await mkdir(OUT_DIR, { recursive: true });
    const written: Array<{ file: string; bytes: number }> = [];
    for (const [index, { shot, page }] of pages.entries()) {
      const box = boxes[index]!;
      const frame = frameOf(shot.widget);
      const clip = {
        x: Math.round(box.x + box.width / 2 - frame.width / 2),
        y: Math.round(box.y + box.height / 2 - frame.height / 2),
        ...frame,
      };
      // A page in the background gets no frames; without this each screenshot waits for one in vain.
      await page.bringToFront();
      const png = await page.screenshot({ clip, animations: 'disabled', caret: 'hide' });
      written.push(await writePicture(shot.file, png));
    }

    // The combined picture is only as tall as its own tallest state: the frames are cropped, the widgets stay centred.
    const combinedHeight =
      Math.ceil(Math.max(...COMBINED.map((file) => boxes[SHOTS.findIndex((shot) => shot.file === file)]!.height))) +
      2 * MARGIN;
    written.push(await writePicture('widget.png', await combine(browser, COMBINED, { width, height: combinedHeight })));

    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    for (const { file, bytes } of written)
      console.log(`docs/${file.padEnd(16)} ${(bytes / 1024).toFixed(0).padStart(4)} kB`);
    console.log(`${written.length} pictures in ${seconds} s`);
  } finally {
    await browser?.close();
    await server?.close();
    await rm(scratch, { recursive: true, force: true });
  }
}

/** `storybook build` into `outDir`; its (long) output is shown only if it fails. */
async function buildStorybook(outDir: string): Promise<string> {
  const started = performance.now();
  console.log('Building Storybook…');
  const output: Buffer[] = [];
  await new Promise<void>((done, fail) => {
    const build = spawn('npx', ['storybook', 'build', '--quiet', '-o', outDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    build.stdout.on('data', (chunk: Buffer) => output.push(chunk));
    build.stderr.on('data', (chunk: Buffer) => output.push(chunk));
    build.on('error', fail);
    build.on('exit', (code) => {
      if (code === 0) return done();
      process.stderr.write(Buffer.concat(output));
      fail(new Error(`storybook build exited with ${code}`));
    });
  });
  console.log(`Storybook built in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return outDir;
}

interface StaticServer {
  url: string;
  close(): Promise<void>;
}

/** The static Storybook on 127.0.0.1 and a free port: a secure context, so MSW's service worker runs. */
async function serveStatic(root: string): Promise<StaticServer> {
  const server = createServer(async (request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    const file = resolve(root, `.${path.endsWith('/') ? `${path}index.html` : path}`);
    if (file !== root && !file.startsWith(root + sep)) {
      response.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      response.writeHead(200, {
        'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
        'Cache-Control': 'no-store',
      });
      response.end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((closed) => server.close(() => closed())),
  };
}

/** Opens a story and waits until its play function has finished and the widget shows its images. */
async function openStory(page: Page, baseUrl: string, shot: Shot): Promise<Page> {
  await page.goto(`${baseUrl}/iframe.html?id=${shot.story}&viewMode=story`);
  // Storybook's render phases: ... "playing", "played", ..., "finished" (or "errored" when the play function threw).
  await page.waitForFunction(
    () => {
      const phase = (window as { __STORYBOOK_PREVIEW__?: { currentRender?: { phase?: string } } }).__STORYBOOK_PREVIEW__
        ?.currentRender?.phase;
      return phase === 'finished' || phase === 'errored' || phase === 'aborted' ? phase : false;
    },
    undefined,
    { timeout: 30_000 },
  );
  const phase = await page.evaluate(
    () =>
      (window as { __STORYBOOK_PREVIEW__?: { currentRender?: { phase?: string } } }).__STORYBOOK_PREVIEW__
        ?.currentRender?.phase,
  );
  if (phase !== 'finished')
    throw new Error(`${shot.story}: the story ended "${phase}"; open it in Storybook to see why.`);

  const widget = page.locator('.rtu');
  const state = await widget.getAttribute('data-state');
  if (state !== shot.state)
    throw new Error(`${shot.story}: the widget shows data-state="${state}", not "${shot.state}".`);
  await page.waitForFunction(() =>
    Array.from(document.querySelectorAll<HTMLImageElement>('.rtu img')).every(
      (image) => image.complete && image.naturalWidth > 0,
    ),
  );
  await page.evaluate(async () => {
    // No focus ring or caret left over from the play function, and every font in place.
    if (document.activeElement instanceof HTMLElement) document.activeElement.blur();
    await document.fonts.ready;
  });
  // Room around the widget for the frame, whatever the state's height.
  await page.addStyleTag({ content: 'body.sb-show-main.sb-main-padded { padding: 200px 48px !important; }' });
  return page;
}

async function widgetBox(page: Page): Promise<{ x: number; y: number; width: number; height: number }> {
  const box = await page.locator('.rtu').boundingBox();
  if (!box) throw new Error(`${page.url()}: the widget is not visible.`);
  return box;
}

/**
 * The pictures side by side, each cropped to `size` around its centre and rounded, on a transparent
 * background that suits a light or dark README; at 1 CSS pixel per pixel, which is still about
 * twice the width a README shows it at.
 */
async function combine(browser: Browser, files: string[], size: { width: number; height: number }): Promise<Buffer> {
  const gap = 20;
  const width = files.length * size.width + (files.length - 1) * gap;
  const images = await Promise.all(
    files.map(async (file) => `data:image/png;base64,${(await readFile(join(OUT_DIR, file))).toString('base64')}`),
  );
  const context = await browser.newContext({ viewport: { width, height: size.height }, deviceScaleFactor: 1 });
  try {
    const page = await context.newPage();
    await page.setContent(
      `<!doctype html><html><body style="margin:0;background:transparent;display:flex;gap:${gap}px">` +
        images
          .map(
            (src) =>
              `<img src="${src}" alt="" style="width:${size.width}px;height:${size.height}px;object-fit:cover;border-radius:16px">`,
          )
          .join('') +
        '</body></html>',
    );
    await page.waitForFunction(() =>
      Array.from(document.images).every((image) => image.complete && image.naturalWidth > 0),
    );
    return await page.screenshot({ omitBackground: true });
  } finally {
    await context.close();
  }
}

async function writePicture(file: string, png: Buffer): Promise<{ file: string; bytes: number }> {
  if (png.length > MAX_BYTES)
    throw new Error(`docs/${file} would be ${(png.length / 1024).toFixed(0)} kB (limit ${MAX_BYTES / 1024} kB).`);
  const path = join(OUT_DIR, file);
  await writeFile(path, png);
  return { file, bytes: (await stat(path)).size };
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
