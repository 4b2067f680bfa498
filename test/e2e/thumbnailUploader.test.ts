import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createParentMedia } from '../support/parentMedia';
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { promisify } from 'node:util';
import react from '@vitejs/plugin-react';
import type { Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startServer, type RunningServer } from '../../server/app';
import { onePagePdf } from '../browser/pdfFixtures';
import { makeOpaque, makePng, md5Of } from '../fixtures';
import { startRecordingProxy, type RecordedRequest } from '../support/faultServer';
import { startEngine, type EngineSession, type Tab } from './browserTab';
import { REPO, linkFromRepo, runQuietly, serveStatic } from './support';

const APP_SOURCE = join(REPO, 'test/e2e/app');
/** The engine of this project: `e2e` runs in Chromium, `e2e-firefox` and `e2e-webkit` in the others (vite.config.ts). */
const ENGINE = inject('e2eEngine') ?? 'chromium';
const inChromium = ENGINE === 'chromium';
const TOKEN = 'e2e-token';
/** The widget's default `maxSize`: a fixture above it would be refused before upload. */
const DEFAULT_MAX_SIZE = 10 * 1024 * 1024;
/** A decodable gradient, made once: about 190 KB; the widget scales it down to 1024x768. */
const PNG_2000X1500 = Buffer.from(makePng(2000, 1500));
/** At the default maxDimension already: the widget sends these very bytes. */
const PNG_1024X768 = Buffer.from(makePng(1024, 768));
/** Parts of the chunked attachment: small, so that a media of 10 of them is quick. */
const PART_BYTES = 256 * 1024;

/** What the app page (test/e2e/app/main.jsx) exposes as `window.e2e`, and what the init script records. */
interface PageProbe {
  uploaded: Array<{ file_url: string; file_uuid: string; parent_file_uuid: string }>;
  /** The attachment list's names and states, at each onChange. */
  changes: Array<Array<[string, string]>>;
  errors: Array<{ kind: string; message: string }>;
  hostMutations: () => number;
  thumbnailOf: (
    bytes: number[],
    name: string,
  ) => Promise<{ name: string; type: string; width: number; height: number } | null>;
}
type ProbedWindow = Window & { e2e: PageProbe; progressSeen: number[]; itemTexts: string[] };

interface StoredRecord {
  uuid: string;
  kind: 'media' | 'thumbnail';
  parentUuid: string | null;
  md5: string;
  size: number;
  storedName: string;
  fields: Record<string, string>;
}

let work: string;
let api: RunningServer;
let app: { url: string; close: () => Promise<void> };
let browser: EngineSession;
let bundledModules: string[] = [];

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'rtu-e2e-'));
  // The browser starts while the library builds: on two cores the build is the long pole.
  const [launched] = await Promise.all([startEngine(ENGINE), runQuietly('npm', ['run', 'build'])]);
  browser = launched;
  const appDist = await bundleApp(join(work, 'app'));
  api = await startServer({ port: 0, token: TOKEN, dataDir: join(work, 'data') });
  app = await serveStatic(appDist);
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await api?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe(`ThumbnailUploader, built and installed in an app, against the reference server in ${ENGINE}`, () => {
  // The build and the package (these three) are the same whatever the browser: checked once, with Chromium.
  it.runIf(inChromium)('bundles the package from dist/ through its exports map, not from src/', () => {
    expect(bundledModules).toContain(join(REPO, 'dist/index.js'));
    expect(bundledModules).toContain(join(REPO, 'dist/styles.css'));
    expect(bundledModules.filter((id) => id.startsWith(join(REPO, 'src') + sep))).toEqual([]);
  });

  it.runIf(inChromium)(
    'packs exactly the built library, README, LICENSE and package.json: no source, tests, stories, server or benchmark',
    async () => {
      const { stdout } = await promisify(execFile)('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
        cwd: REPO,
      });
      const [packed] = JSON.parse(stdout) as [{ files: Array<{ path: string }> }];
      // Chunks are named by a content hash; otherwise the list is exact, so that shipping a new file is a decision.
      const paths = packed.files.map((file) => file.path.replace(/-[\w-]{8}\.js$/, '-[hash].js')).sort();
      expect(paths).toEqual([
        'LICENSE',
        'README.md',
        'dist/chunks-[hash].js',
        'dist/core-[hash].js',
        'dist/core.d.ts',
        'dist/core.js',
        'dist/filePicture-[hash].js',
        'dist/hashWasmMd5-[hash].js',
        'dist/heic-LICENSE.txt',
        'dist/heic-[hash].js',
        'dist/image-[hash].js',
        'dist/index.d.ts',
        'dist/index.js',
        'dist/pdfPage-[hash].js',
        'dist/styles.css',
        'dist/testing.d.ts',
        'dist/testing.js',
        'dist/thumbnail-[hash].js',
        'dist/validate-[hash].js',
        'dist/videoFrame-[hash].js',
        'package.json',
      ]);
      // No source map ships, so none may be referenced (it would point at src/, which does not ship).
      for (const path of packed.files.map((file) => file.path).filter((path) => path.startsWith('dist/'))) {
        expect(await readFile(join(REPO, path), 'utf8'), path).not.toContain('sourceMappingURL');
      }
    },
  );

  it.runIf(inChromium)(
    'keeps "use client" as the first statement of the React entry, and off the framework-free core entry',
    async () => {
      expect(await readFile(join(REPO, 'dist/index.js'), 'utf8')).toMatch(/^(['"])use client\1;?\n/);
      expect(await readFile(join(REPO, 'dist/core.js'), 'utf8')).not.toContain('use client');
    },
  );

  it('uploads a 2000x1500 PNG scaled down to 1024x768 in a worker, with the MD5 of the bytes sent, and shows the stored image', async () => {
    const png = PNG_2000X1500;
    expect(png.length).toBeLessThan(DEFAULT_MAX_SIZE);
    const media = await createMedia();

    await withPage(media, TOKEN, async (page) => {
      await page.chooseFile({ name: 'gradient.png', mimeType: 'image/png', buffer: png });
      const shown = await uploadedImage(page, 'gradient.png');

      const { uploaded, errors, hostMutations } = await readProbe(page);
      expect(errors).toEqual([]);
      expect(uploaded).toEqual([{ file_url: shown.src, file_uuid: expect.any(String), parent_file_uuid: media }]);
      // The default maxDimension: the longest side is 1024 and the aspect is kept.
      expect(shown).toMatchObject({ naturalWidth: 1024, naturalHeight: 768 });
      // The built package's inline worker did the scaling (from a blob: URL, whatever the app's bundler).
      // WebKit: WebDriver classic does not see workers; the browser tests show the worker there.
      if (page.workers()) expect(page.workers()).toEqual([expect.stringMatching(/^blob:/)]);
      const served = Buffer.from(await (await fetch(shown.src)).arrayBuffer());
      const stored = await record(uploaded[0]!.file_uuid);
      expect(stored).toMatchObject({ kind: 'thumbnail', parentUuid: media, md5: md5Of(served), size: served.length });
      expect(stored.fields).toMatchObject({
        qqparentuuid: media,
        qqmd5: md5Of(served),
        qqfilename: 'gradient.png',
        qqfiletype: 'image/png',
        qqtotalfilesize: String(served.length),
      });
      expect(served.length).not.toBe(png.length);
      // The widget ran in the host's QueryClientProvider: the app and the package share one react-query.
      expect(hostMutations).toBe(1);
    });
  });

  it('uploads a 2000x1500 JPEG drawn on a canvas in the page as a 1024x768 JPEG, with the MD5 it declared', async () => {
    const media = await createMedia();

    await withPage(media, TOKEN, async (page) => {
      const base64 = await page.evaluate(async () => {
        const canvas = document.createElement('canvas');
        canvas.width = 2000;
        canvas.height = 1500;
        const context = canvas.getContext('2d')!;
        const gradient = context.createLinearGradient(0, 0, 2000, 1500);
        gradient.addColorStop(0, '#1d4ed8');
        gradient.addColorStop(1, '#f59e0b');
        context.fillStyle = gradient;
        context.fillRect(0, 0, 2000, 1500);
        context.fillStyle = '#fff';
        context.font = 'bold 200px sans-serif';
        context.fillText('e2e', 700, 800);
        const blob = await new Promise<Blob>((done, fail) =>
          canvas.toBlob((made) => (made ? done(made) : fail(new Error('no JPEG'))), 'image/jpeg', 0.9),
        );
        const input = document.querySelector<HTMLInputElement>('input[type=file]')!;
        const transfer = new DataTransfer();
        transfer.items.add(new File([blob], 'canvas.jpg', { type: 'image/jpeg' }));
        input.files = transfer.files;
        input.dispatchEvent(new Event('change', { bubbles: true }));
        const bytes = new Uint8Array(await blob.arrayBuffer());
        let binary = '';
        for (let at = 0; at < bytes.length; at += 0x8000)
          binary += String.fromCharCode(...bytes.subarray(at, at + 0x8000));
        return btoa(binary);
      });
      const jpeg = Buffer.from(base64, 'base64');
      expect([...jpeg.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
      const shown = await uploadedImage(page, 'canvas.jpg');

      const { uploaded } = await readProbe(page);
      expect(uploaded).toEqual([expect.objectContaining({ file_url: shown.src, parent_file_uuid: media })]);
      expect(shown).toMatchObject({ naturalWidth: 1024, naturalHeight: 768 });
      const served = Buffer.from(await (await fetch(shown.src)).arrayBuffer());
      expect([...served.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
      const stored = await record(uploaded[0]!.file_uuid);
      // Re-encoded smaller: what the client declared (MD5, size, type) describes the bytes it sent, not the canvas's.
      expect(stored).toMatchObject({ kind: 'thumbnail', parentUuid: media, size: served.length, md5: md5Of(served) });
      expect(stored.md5).not.toBe(md5Of(jpeg));
      expect(stored.fields).toMatchObject({
        qqmd5: stored.md5,
        qqfilename: 'canvas.jpg',
        qqfiletype: 'image/jpeg',
        qqtotalfilesize: String(served.length),
      });
    });
  });

  it("draws a PDF's first page with the package's own pdf.js and its worker, as the app's bundler left them", async () => {
    const media = await createMedia();
    await withPage(media, TOKEN, async (page) => {
      // The app's bundler kept pdf.js in a chunk of its own, fetched only once a PDF is attached.
      const pdfChunks = () =>
        page.evaluate(() =>
          performance
            .getEntriesByType('resource')
            .map((entry) => entry.name)
            .filter((name) => /pdfPage-/.test(name)),
        );
      expect(await pdfChunks()).toEqual([]);
      const pdf = [...onePagePdf(300, 500)];
      const made = await page.evaluate(
        ([bytes, name]) => (window as unknown as ProbedWindow).e2e.thumbnailOf(bytes, name),
        [pdf, 'report.pdf'] as [number[], string],
      );
      // Scaled to the default 1024 px on its longest side, in the page's aspect: the page was drawn.
      expect(made).toMatchObject({ name: 'report-thumbnail.jpg', type: 'image/jpeg', height: 1024 });
      expect(Math.abs(made!.width - 614)).toBeLessThanOrEqual(1);
      expect(await pdfChunks()).toHaveLength(1);
    });
  });

  it('shows the sign-in message when the server answers 401 to a wrong token, and stores nothing', async () => {
    const media = await createMedia();
    const before = (await records()).length;

    await withPage(media, 'not-the-token', async (page) => {
      await page.chooseFile({ name: 'small.png', mimeType: 'image/png', buffer: Buffer.from(makePng(40, 30)) });
      await page.waitUntil(() => document.querySelector('[role=alert]'));
      expect(await page.evaluate(() => document.querySelector('[role=alert]')!.textContent)).toContain('Sign in again');
      const { uploaded, errors } = await readProbe(page);
      expect(errors).toEqual([expect.objectContaining({ kind: 'auth' })]);
      expect(uploaded).toEqual([]);
    });
    expect(await records()).toHaveLength(before);
  });

  // Firefox and WebKit: the upload is throttled with the DevTools protocol, which only Chromium has.
  it.runIf(inChromium)('moves the progress bar through intermediate values on a throttled upload', async () => {
    const png = PNG_1024X768;
    const media = await createMedia();

    await withPage(media, TOKEN, async (page) => {
      // About two seconds for this body. Without throttling, loopback sends it in one go: only 100 is seen.
      await throttleUploads(page.page!, Math.round(png.length / 2));

      await page.chooseFile({ name: 'slow.png', mimeType: 'image/png', buffer: png });
      await uploadedImage(page, 'slow.png');
      const seen = await page.evaluate(() => (window as unknown as ProbedWindow).progressSeen);
      const intermediate = new Set(seen.filter((value) => value > 0 && value < 100));
      expect(intermediate.size, `progress values seen: ${seen.join(', ')}`).toBeGreaterThanOrEqual(2);
      expect(seen, 'progress never goes back').toEqual([...seen].sort((a, b) => a - b));
      const { uploaded } = await readProbe(page);
      expect(uploaded).toHaveLength(1);
      expect(await record(uploaded[0]!.file_uuid)).toMatchObject({ parentUuid: media, md5: md5Of(png) });
    });
  });

  it.runIf(inChromium)(
    'waits while the connection is down mid-upload, shows no error, and finishes by itself once it is back',
    async () => {
      const png = PNG_1024X768;
      const media = await createMedia();

      await withPage(media, TOKEN, async (page) => {
        // About four seconds for this body, so that the connection can drop while it is on the wire.
        await throttleUploads(page.page!, Math.round(png.length / 4));
        await page.chooseFile({ name: 'train.png', mimeType: 'image/png', buffer: png });
        await page.waitUntil(() => (window as unknown as ProbedWindow).progressSeen.some((value) => value > 0));

        const cdp = await page.page!.context().newCDPSession(page.page!);
        await cdp.send('Network.enable');
        const online = { latency: 0, downloadThroughput: -1, uploadThroughput: -1 };
        await cdp.send('Network.emulateNetworkConditions', { offline: true, ...online });
        await page.waitUntil(
          () => document.querySelector('[role=status]')?.textContent === 'Waiting for the connection…',
        );
        expect(await page.evaluate(() => navigator.onLine)).toBe(false);
        expect(await page.evaluate(() => document.querySelector('[role=alert]')?.textContent ?? '')).toBe('');
        expect((await readProbe(page)).uploaded).toHaveLength(0);

        await cdp.send('Network.emulateNetworkConditions', { offline: false, ...online });
        await uploadedImage(page, 'train.png');
        const { uploaded, errors } = await readProbe(page);
        expect(errors).toEqual([]);
        expect(uploaded).toHaveLength(1);
        expect(await record(uploaded[0]!.file_uuid)).toMatchObject({ parentUuid: media, md5: md5Of(png) });
      });
    },
  );
});

describe(`AttachmentUploader, built and installed in an app, against the reference server in ${ENGINE}`, () => {
  it('attaches 5 files of mixed types in one pick: each media stored whole, each with its thumbnail, in the order chosen', async () => {
    await withPage(
      '',
      TOKEN,
      async (page) => {
        const files = [
          { name: 'harbour.png', mimeType: 'image/png', buffer: PNG_2000X1500 },
          { name: 'market.jpg', mimeType: 'image/jpeg', buffer: await jpegFromPage(page, 1600, 1200) },
          { name: 'minutes.pdf', mimeType: 'application/pdf', buffer: Buffer.from(onePagePdf(300, 500)) },
          { name: 'voice-note.mp3', mimeType: 'audio/mpeg', buffer: Buffer.from(makeOpaque('ID3\u0004')) },
          { name: 'photos.zip', mimeType: 'application/zip', buffer: Buffer.from(makeOpaque('PK\u0003\u0004')) },
        ];
        await page.chooseFile(files);
        await page.waitUntil(() => (window as unknown as ProbedWindow).e2e.uploaded.length === 5);
        await page.waitUntil(() => document.querySelector('[data-state="uploaded"]'));

        const { errors, changes } = await page.evaluate(() => (window as unknown as ProbedWindow).e2e);
        expect(errors).toEqual([]);
        expect(changes.at(-1)).toEqual(files.map((file) => [file.name, 'uploaded']));
        const uploaded = (await page.evaluate(
          () => (window as unknown as ProbedWindow).e2e.uploaded,
        )) as unknown as Array<{
          media: { file_uuid: string };
          thumbnail?: { file_uuid: string; parent_file_uuid: string };
        }>;
        const stored = await Promise.all(uploaded.map(({ media }) => record(media.file_uuid)));
        // Each media is the file chosen, byte for byte.
        const sizeAndMd5 = (items: Array<{ size: number; md5: string }>) =>
          items.map(({ size, md5 }) => `${size} ${md5}`).sort();
        expect(sizeAndMd5(stored)).toEqual(
          sizeAndMd5(files.map(({ buffer }) => ({ size: buffer.length, md5: md5Of(buffer) }))),
        );
        for (const { media, thumbnail } of uploaded) {
          expect(thumbnail?.parent_file_uuid, `the thumbnail of media ${media.file_uuid}`).toBe(media.file_uuid);
          expect(await record(thumbnail!.file_uuid)).toMatchObject({ kind: 'thumbnail', parentUuid: media.file_uuid });
        }
        expect(await page.evaluate(() => document.querySelector('[role=status]')?.textContent)).toContain(
          '5 of 5 uploaded',
        );
      },
      'attachments',
    );
  });
});

describe(`AttachmentUploader with 3 parts in flight (partConcurrency), against the reference server in ${ENGINE}`, () => {
  it('sends part 0 alone, then 3 parts at once, and the server reassembles the media byte for byte', async () => {
    const buffer = Buffer.concat([Buffer.from('PK\u0003\u0004'), randomBytes(10 * PART_BYTES - 4 - 777)]);
    // Each part answered 100 ms late, so that parts overlap on loopback too.
    const proxy = await startRecordingProxy(api.url, { delay: ({ fields }) => (fields.qqpartindex ? 100 : 0) });
    await withPage(
      '',
      TOKEN,
      async (page) => {
        await page.chooseFile({ name: 'photos.zip', mimeType: 'application/zip', buffer });
        await page.waitUntil(() => (window as unknown as ProbedWindow).e2e.uploaded.length === 1);

        const [{ media }] = (await page.evaluate(
          () => (window as unknown as ProbedWindow).e2e.uploaded,
        )) as unknown as [{ media: { file_uuid: string; file_url: string } }];
        expect(await page.evaluate(() => (window as unknown as ProbedWindow).e2e.errors)).toEqual([]);
        const stored = (await record(media.file_uuid)) as StoredRecord & { parts: Array<Record<string, string>> };
        expect(stored.parts.map((part) => part.qqpartindex)).toEqual(
          Array.from({ length: 10 }, (_, index) => `${index}`),
        );
        expect(stored).toMatchObject({ size: buffer.length, md5: md5Of(buffer) });
        const served = Buffer.from(await (await fetch(new URL(media.file_url, api.url))).arrayBuffer());
        expect(Buffer.compare(served, buffer)).toBe(0);
        await proxy.close();
        // Part 0 alone, then the parts at most 3 at once, and done after all of them.
        const timeline = proxy.timeline().filter((call) => !call.endsWith('undefined'));
        expect(timeline.slice(0, 2)).toEqual(['>0', '<0']);
        let open = 0;
        const inFlight = timeline.slice(2, -2).map((call) => (open += call.startsWith('>') ? 1 : -1));
        expect(Math.max(...inFlight)).toBe(3);
        expect(timeline.slice(-2)).toEqual(['>done', '<done']);
      },
      'attachments',
      { baseUrl: proxy.url, chunkSize: String(PART_BYTES), partConcurrency: '3' },
    );
  });
});

// Chromium: the page is reloaded and the file chosen from the disk (with its last change) through Playwright.
describe.runIf(inChromium)(
  `AttachmentUploader resumes a media in parts after a reload, from IndexedDB, against the reference server in ${ENGINE}`,
  () => {
    const SIX_PARTS = 6 * PART_BYTES - 777;
    /** The file on the disk, as a person picks it: its `lastModified` is the file's, the same on both picks. */
    async function fileOnDisk(name: string, buffer: Buffer, folder: string): Promise<string> {
      await mkdir(join(work, folder), { recursive: true });
      const path = join(work, folder, name);
      await writeFile(path, buffer);
      await utimes(path, new Date('2026-01-02T03:04:05Z'), new Date('2026-01-02T03:04:05Z'));
      return path;
    }

    /**
     * Picks `path`, lets parts 0–2 be stored and saved, holds part 3 (it never reaches the server),
     * then reloads the page: the upload's uuid and the requests sent so far are given.
     */
    async function uploadThreePartsThenReload(page: Tab, path: string, proxy: Proxy) {
      const picked = page.page!.locator('input[type=file]');
      await picked.setInputFiles(path);
      await page.waitUntil(() => document.querySelector('[data-item]'));
      await waitFor(async () => (await savedUploads(page)).some(({ nextPart }) => nextPart === 3));
      await waitFor(() => proxy.requests().some(({ fields }) => fields.qqpartindex === '3'));
      proxy.state.reloaded = true;
      await page.page!.reload();
      await page.waitUntil(() => document.querySelector('[data-state="idle"]'));
      const before = proxy.requests();
      expect(calls(before)).toEqual(['0', '1', '2', '3']);
      return { uuid: before[1]!.fields.qquuid!, sent: before.length };
    }

    /** A page of attachments behind a proxy that holds part 3 (see startHoldingProxy), closed after `run`. */
    async function withHoldingPage(run: (page: Tab, proxy: Proxy) => Promise<void>) {
      const proxy = await startHoldingProxy();
      try {
        await withPage('', TOKEN, (page) => run(page, proxy), 'attachments', {
          baseUrl: proxy.url,
          chunkSize: String(PART_BYTES),
        });
      } finally {
        await proxy.close();
      }
    }

    /** Chooses `path` again and waits for its attachment: the stored media, and what its item said meanwhile. */
    async function chooseAgain(page: Tab, path: string) {
      await page.page!.locator('input[type=file]').setInputFiles(path);
      await page.waitUntil(() => (window as unknown as ProbedWindow).e2e.uploaded.length === 1);
      const [{ media }] = (await page.evaluate(() => (window as unknown as ProbedWindow).e2e.uploaded)) as unknown as [
        { media: { file_uuid: string } },
      ];
      expect(await page.evaluate(() => (window as unknown as ProbedWindow).e2e.errors)).toEqual([]);
      return { media, texts: await page.evaluate(() => (window as unknown as ProbedWindow).itemTexts) };
    }

    const sixParts = () => Buffer.concat([Buffer.from('PK\u0003\u0004'), randomBytes(SIX_PARTS - 4)]);

    it('sends parts 3–5 only when the same file is chosen again, says so, stores the right MD5 and forgets the record', async () => {
      const buffer = sixParts();
      const path = await fileOnDisk('holiday-video.zip', buffer, 'same');
      await withHoldingPage(async (page, proxy) => {
        const { uuid, sent } = await uploadThreePartsThenReload(page, path, proxy);
        const { media, texts } = await chooseAgain(page, path);

        expect(calls(proxy.requests().slice(sent))).toEqual(['3', '4', '5', 'done', undefined]);
        expect(media.file_uuid).toBe(uuid);
        // At the server: one upload of 6 parts, each stored once, 3–5 after the reload.
        const stored = (await record(uuid)) as StoredRecord & { parts: Array<Record<string, string>> };
        expect(stored.parts.map((part) => part.qqpartindex)).toEqual(['0', '1', '2', '3', '4', '5']);
        expect(stored).toMatchObject({ size: buffer.length, md5: md5Of(buffer) });
        expect(texts.some((text) => text.includes('Resuming holiday-video.zip at 50 %'))).toBe(true);
        await waitFor(async () => (await savedUploads(page)).length === 0);
      });
    });

    it('starts a different file of the same name, size and last change from part 0', async () => {
      const other = sixParts();
      await withHoldingPage(async (page, proxy) => {
        const { uuid, sent } = await uploadThreePartsThenReload(
          page,
          await fileOnDisk('same-name.zip', sixParts(), 'a'),
          proxy,
        );
        const { media, texts } = await chooseAgain(page, await fileOnDisk('same-name.zip', other, 'b'));

        expect(calls(proxy.requests().slice(sent))).toEqual(['0', '1', '2', '3', '4', '5', 'done', undefined]);
        expect(media.file_uuid).not.toBe(uuid);
        expect(await record(media.file_uuid)).toMatchObject({ size: other.length, md5: md5Of(other) });
        expect(texts.filter((text) => text.includes('Resuming'))).toEqual([]);
      });
    });

    it('starts over from part 0, once, and says so, when the server has forgotten the saved upload', async () => {
      const buffer = sixParts();
      const path = await fileOnDisk('forgotten.zip', buffer, 'forgotten');
      await withHoldingPage(async (page, proxy) => {
        const { uuid, sent } = await uploadThreePartsThenReload(page, path, proxy);
        // The server sweeps it, as it does after `staleUploadMs`.
        await rm(join(api.dataDir, 'chunks', `${uuid}.json`));
        await rm(join(api.dataDir, 'chunks', `${uuid}.bin`));
        const { media, texts } = await chooseAgain(page, path);

        expect(calls(proxy.requests().slice(sent))).toEqual(['3', '0', '1', '2', '3', '4', '5', 'done', undefined]);
        expect(media.file_uuid).not.toBe(uuid);
        expect(await record(media.file_uuid)).toMatchObject({ size: buffer.length, md5: md5Of(buffer) });
        expect(texts.some((text) => text.includes('Uploading forgotten.zip again from the start'))).toBe(true);
        await waitFor(async () => (await savedUploads(page)).length === 0);
      });
    });
  },
);

type Proxy = Awaited<ReturnType<typeof startHoldingProxy>>;

/**
 * A recording proxy in front of the reference server that, until `reloaded` is set, holds part 3
 * and never passes it on: the page is reloaded while it is on the wire.
 */
async function startHoldingProxy() {
  const held = new Set<RecordedRequest>();
  const state = { reloaded: false };
  const proxy = await startRecordingProxy(api.url, {
    delay: (request) => {
      if (state.reloaded || request.fields.qqpartindex !== '3') return 0;
      held.add(request);
      return 5000;
    },
    answer: (request) => (held.has(request) ? { status: 503, body: '{}' } : undefined),
  });
  return Object.assign(proxy, { state });
}

/** Each request's call: its part index, `done`, or undefined for the thumbnail. */
const calls = (requests: RecordedRequest[]) =>
  requests.map((request) => (request.url.includes('?done') ? 'done' : request.fields.qqpartindex));

async function waitFor(condition: () => unknown, timeoutMs = 30_000): Promise<void> {
  for (const end = Date.now() + timeoutMs; !(await condition());) {
    if (Date.now() > end) throw new Error(`Still not so after ${timeoutMs} ms: ${condition.toString()}`);
    await new Promise((done) => setTimeout(done, 50));
  }
}

/** The checkpoints the page keeps in IndexedDB, read as the library stores them. */
function savedUploads(page: Tab) {
  return page.evaluate(
    () =>
      new Promise<Array<{ nextPart: number; fileUuid: string }>>((resolve, reject) => {
        const opening = indexedDB.open('react-thumbnail-uploader', 1);
        opening.onupgradeneeded = () => opening.result.createObjectStore('chunked-uploads', { keyPath: 'key' });
        opening.onerror = () => reject(opening.error);
        opening.onsuccess = () => {
          const all = opening.result.transaction('chunked-uploads').objectStore('chunked-uploads').getAll();
          all.onerror = () => reject(all.error);
          all.onsuccess = () => {
            opening.result.close();
            resolve(
              (all.result as Array<{ checkpoint: { nextPart: number; fileUuid: string } }>).map(
                (saved) => saved.checkpoint,
              ),
            );
          };
        };
      }),
  );
}

/** A JPEG encoded by the page's own canvas (Node has no encoder), as a camera photo would be. */
async function jpegFromPage(page: Tab, width: number, height: number): Promise<Buffer> {
  const base64 = await page.evaluate(
    async ([w, h]) => {
      const canvas = document.createElement('canvas');
      canvas.width = w;
      canvas.height = h;
      const context = canvas.getContext('2d')!;
      const gradient = context.createLinearGradient(0, 0, w, h);
      gradient.addColorStop(0, '#0f766e');
      gradient.addColorStop(1, '#fbbf24');
      context.fillStyle = gradient;
      context.fillRect(0, 0, w, h);
      const blob = await new Promise<Blob>((done, fail) =>
        canvas.toBlob((made) => (made ? done(made) : fail(new Error('no JPEG'))), 'image/jpeg', 0.9),
      );
      const bytes = new Uint8Array(await blob.arrayBuffer());
      let binary = '';
      for (let at = 0; at < bytes.length; at += 0x8000)
        binary += String.fromCharCode(...bytes.subarray(at, at + 0x8000));
      return btoa(binary);
    },
    [width, height] as [number, number],
  );
  return Buffer.from(base64, 'base64');
}

/** A fresh page on the app, with the progress bar's values recorded from the first render. */
async function withPage(
  parentUuid: string,
  token: string,
  use: (page: Tab) => Promise<void>,
  widget = 'thumbnail',
  options: Record<string, string> = {},
): Promise<void> {
  const query = new URLSearchParams({ baseUrl: api.url, token, parentUuid, widget, ...options });
  const recordProgress = () => {
    const seen: number[] = [];
    const texts: string[] = [];
    (window as unknown as ProbedWindow).progressSeen = seen;
    // What the first attachment's row says, each time it changes: a status may last one part only.
    (window as unknown as ProbedWindow).itemTexts = texts;
    new MutationObserver(() => {
      const value = document.querySelector('[role=progressbar]')?.getAttribute('aria-valuenow');
      if (value != null && seen.at(-1) !== Number(value)) seen.push(Number(value));
      const text = document.querySelector('[data-item]')?.textContent;
      if (text && texts.at(-1) !== text) texts.push(text);
    }).observe(document, {
      subtree: true,
      childList: true,
      characterData: true,
      attributes: true,
      attributeFilter: ['aria-valuenow'],
    });
  };
  await browser.open(`${app.url}/?${query}`, recordProgress, async (page) => {
    await page.waitUntil(() => document.querySelector('[data-state="idle"]'));
    await use(page);
  });
}

/**
 * Slows the upload endpoint of this page's requests down to `bytesPerSecond` with the DevTools
 * protocol; Chromium throttles loopback too. Per-URL rules leave the page and the images alone;
 * the older page-wide command is the fallback for a Chromium without them.
 */
async function throttleUploads(page: Page, bytesPerSecond: number): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  const conditions = { latency: 0, downloadThroughput: -1, uploadThroughput: bytesPerSecond };
  try {
    await cdp.send('Network.emulateNetworkConditionsByRule', {
      matchedNetworkConditions: [{ urlPattern: `${api.url}/api/v2/pm/upload/*`, ...conditions }],
    });
  } catch {
    await cdp.send('Network.emulateNetworkConditions', { offline: false, ...conditions });
  }
}

/** Waits for the uploaded image (not the preview) to be decoded, and gives its address and size. */
async function uploadedImage(page: Tab, fileName: string) {
  const alt = `Uploaded thumbnail of ${fileName}`;
  const find = (name: string) =>
    [...document.querySelectorAll('img')].find((image) => image.alt === name && image.complete && image.naturalWidth);
  await page.waitUntil(find, alt);
  return page.evaluate((name) => {
    const image = [...document.querySelectorAll('img')].find((candidate) => candidate.alt === name)!;
    return { src: image.src, naturalWidth: image.naturalWidth, naturalHeight: image.naturalHeight };
  }, alt);
}

/** What the app was told through its callbacks, and how many mutations its own QueryClient ran. */
function readProbe(page: Tab) {
  return page.evaluate(() => {
    const { uploaded, errors, hostMutations } = (window as unknown as ProbedWindow).e2e;
    return { uploaded, errors, hostMutations: hostMutations() };
  });
}

const createMedia = () => createParentMedia(api.url, TOKEN);

async function records(): Promise<StoredRecord[]> {
  const metaDir = join(api.dataDir, 'meta');
  const names = (await readdir(metaDir)).filter((name) => name.endsWith('.json') && !name.startsWith('.'));
  return Promise.all(
    names.map(async (name) => JSON.parse(await readFile(join(metaDir, name), 'utf8')) as StoredRecord),
  );
}

async function record(uuid: string): Promise<StoredRecord> {
  const found = (await records()).find((candidate) => candidate.uuid === uuid);
  if (!found) throw new Error(`The server stored no record for ${uuid}`);
  return found;
}

/**
 * The app as someone who installed the package has it: its own folder whose node_modules holds the
 * package (a link to this repository, so resolution goes through package.json's `exports` to dist/)
 * and the peers, linked from this repository's node_modules so that there is one React.
 */
async function bundleApp(root: string): Promise<string> {
  const modules = join(root, 'node_modules');
  await mkdir(join(modules, '@tanstack'), { recursive: true });
  for (const name of ['index.html', 'main.jsx']) await copyFile(join(APP_SOURCE, name), join(root, name));
  await symlink(REPO, join(modules, 'react-thumbnail-uploader'), 'dir');
  await linkFromRepo(modules, ['react', 'react-dom', '@tanstack/react-query']);

  const outDir = join(root, 'dist');
  const output = await build({
    root,
    configFile: false,
    envFile: false,
    logLevel: 'silent',
    plugins: [react()],
    build: { outDir, emptyOutDir: true, sourcemap: false, reportCompressedSize: false },
  });
  bundledModules = (Array.isArray(output) ? output : [output]).flatMap((bundle) =>
    'output' in bundle ? bundle.output.flatMap((chunk) => (chunk.type === 'chunk' ? chunk.moduleIds : [])) : [],
  );
  return outDir;
}
