import type { Meta, StoryObj } from '@storybook/react-vite';
import { delay, http, HttpResponse, passthrough } from 'msw';
import { useState } from 'react';
import { expect, userEvent, waitFor, within } from 'storybook/test';
import { AttachmentUploader, UploaderProvider, type AttachmentResult } from '../src';
import { drawFirstPage, makePdfFile, makeZipFile } from './support/documents';
import { makeImageFile } from './support/images';
import { liveRequired, liveToken, liveUrl, prepareLiveMedia, type LiveSetup } from './support/liveServer';
import { LiveServerNotice, codeStyle } from './support/LiveServerNotice';
import { chooseFile, chooseFiles, expectState } from './support/play';
import { makeVideoFile } from './support/video';

interface LiveArgs {
  /** Where the reference server listens (`npm run server`; `STORYBOOK_UPLOAD_URL` overrides). */
  baseUrl: string;
  /** The token the server expects (`UPLOAD_TOKEN` on its side; `STORYBOOK_UPLOAD_TOKEN` here). */
  token: string;
  /** Bytes per part: files larger than this go in chunks. */
  chunkSize?: number;
  makeThumbnail?: (file: File) => Promise<Blob | undefined>;
  /** `false`: a failure is shown at once, not retried automatically first. */
  retry?: false;
}

/**
 * AttachmentUploader against the real local reference server: the media (in one request or in
 * parts), then its thumbnail with the media's uuid, both stored for real. Start the server with
 * `npm start` or `npm run server`; without it, the story says so instead of failing.
 */
const meta = {
  title: 'AttachmentUploader/Live',
  args: { baseUrl: liveUrl, token: liveToken },
  parameters: { uploader: false, msw: { handlers: {} } },
  // Also proves the server is up and takes the token, by storing a media as an app would.
  loaders: [async ({ args }) => ({ setup: await prepareLiveMedia(args.baseUrl, args.token) })],
  render: (args, { loaded }) => <LiveAttachment {...args} setup={loaded.setup as LiveSetup} />,
} satisfies Meta<LiveArgs>;

export default meta;
type Story = StoryObj<typeof meta>;

/** Every attachment stored in the story shown last, for its play function to fetch back from the server. */
const stored: AttachmentResult[] = [];

function LiveAttachment({ baseUrl, token, setup, ...widget }: LiveArgs & { setup: LiveSetup }) {
  const [result, setResult] = useState<AttachmentResult | null>(null);
  const onUploaded = (attachment: AttachmentResult) => {
    stored.push(attachment);
    setResult(attachment);
  };
  return (
    <section aria-labelledby="live-title" style={{ maxWidth: '40rem', display: 'grid', gap: '1rem', lineHeight: 1.5 }}>
      <h1 id="live-title" style={{ fontSize: '1.25rem', margin: 0 }}>
        Live: an attachment to <code style={codeStyle}>{baseUrl}</code>
      </h1>
      {setup.status === 'ready' ? (
        <UploaderProvider baseUrl={baseUrl} token={token}>
          <AttachmentUploader {...widget} onUploaded={onUploaded} />
        </UploaderProvider>
      ) : (
        <LiveServerNotice baseUrl={baseUrl} setup={setup} />
      )}
      {result ? (
        <dl
          style={{ margin: 0, display: 'grid', gridTemplateColumns: 'max-content 1fr', gap: '0.25rem 1rem' }}
          aria-label="Server answer"
        >
          <dt>media file_uuid</dt>
          <dd style={{ margin: 0, ...codeStyle }}>{result.media.file_uuid}</dd>
          <dt>thumbnail parent_file_uuid</dt>
          <dd style={{ margin: 0, ...codeStyle }}>{result.thumbnail?.parent_file_uuid ?? '(no thumbnail)'}</dd>
        </dl>
      ) : null}
    </section>
  );
}

/** Whether the story can go on: the server is there (under `npm test` it must be). */
async function serverReady(canvasElement: HTMLElement, loaded: Record<string, unknown>): Promise<boolean> {
  const setup = loaded.setup as LiveSetup;
  if (setup.status === 'failed') throw new Error(`The live server answered but refused the setup: ${setup.reason}`);
  if (setup.status === 'offline') {
    if (liveRequired) throw new Error(`The reference server is not reachable at ${liveUrl}: ${setup.reason}`);
    await expect(await within(canvasElement).findByRole('alert')).toHaveTextContent('npm start');
    return false;
  }
  return true;
}

/** The width of the last attachment's thumbnail, as the real server serves it back. */
async function storedThumbnailWidth(): Promise<number> {
  const url = stored.at(-1)?.thumbnail?.file_url;
  if (!url) throw new Error('The last attachment has no thumbnail.');
  return (await createImageBitmap(await (await fetch(url)).blob())).width;
}

/** The answer shown once stored: the thumbnail's parent is the media. */
async function expectAnswer(canvasElement: HTMLElement, thumbnail: boolean): Promise<void> {
  const answer = await within(canvasElement).findByLabelText('Server answer', {}, { timeout: 15000 });
  const [media, parent] = Array.from(answer.querySelectorAll('dd'), (dd) => dd.textContent);
  await expect(media).toMatch(/^[0-9a-f-]{36}$/);
  await expect(parent).toBe(thumbnail ? media : '(no thumbnail)');
}

/** A photo: stored as the media, then its scaled-down thumbnail with `qqparentuuid` = the media's uuid. */
export const ImageAttachment: Story = {
  // Firefox: under Storybook's dev server, with MSW's service worker in control, the image worker
  // never starts (no message, no error), so the upload waits forever; see vite.config.ts.
  tags: ['firefox-stalls-worker'],
  play: async ({ canvasElement, loaded }) => {
    if (!(await serverReady(canvasElement, loaded))) return;
    await chooseFile(canvasElement, await makeImageFile('live-photo.jpg', { width: 1600, height: 1200, hue: 120 }));
    await within(canvasElement).findByRole('img', { name: 'Preview of live-photo.jpg' }, { timeout: 15000 });
    await expectAnswer(canvasElement, true);
    // Served back by the real server, at the size it was sent.
    await expect(await storedThumbnailWidth()).toBe(1024);
  },
};

/** A video: stored as the media, then a frame captured from the local file as its thumbnail. */
let videoDuration: FormDataEntryValue | null = null;

export const VideoAttachment: Story = {
  // WebKit: its MediaRecorder records no WebM (MP4 is listed, and records 0 bytes), so the story cannot
  // make its clip there; see vite.config.ts.
  tags: ['webkit-records-no-video'],
  parameters: {
    msw: {
      handlers: [
        // Reads the media's form on its way to the real server: its length goes with it as qqduration.
        http.post(`${liveUrl}/api/v2/pm/upload/`, async ({ request }) => {
          const form = await request.clone().formData();
          if (!form.has('qqparentuuid')) videoDuration = form.get('qqduration');
          return passthrough();
        }),
      ],
    },
  },
  play: async ({ canvasElement, loaded }) => {
    if (!(await serverReady(canvasElement, loaded))) return;
    videoDuration = null;
    await chooseFile(canvasElement, await makeVideoFile('live-clip.webm', { seconds: 1.5, hue: 260 }));
    await within(canvasElement).findByRole('img', { name: 'Preview of live-clip.webm' }, { timeout: 10000 });
    await expectAnswer(canvasElement, true);
    await expect(await storedThumbnailWidth()).toBe(320);
    // A 1.5 s recording, in whole seconds.
    expect(['1', '2']).toContain(videoDuration);
  },
};

/** A PDF and the app's `makeThumbnail`: the media, then the first page as its thumbnail. */
export const PdfAttachment: Story = {
  args: { makeThumbnail: drawFirstPage },
  play: async ({ canvasElement, loaded }) => {
    if (!(await serverReady(canvasElement, loaded))) return;
    await chooseFile(canvasElement, makePdfFile('live-report.pdf'));
    await within(canvasElement).findByRole('img', { name: 'Preview of live-report.pdf' }, { timeout: 15000 });
    await expectAnswer(canvasElement, true);
  },
};

let partOneHeld = false;

/**
 * 300 KiB in parts of 64 KiB, stored by the real server. To pause while it is under way, the first
 * try of part 1 is held here (MSW) and never answered; everything else goes to the server.
 */
export const ChunkedPauseResume: Story = {
  args: { chunkSize: 64 * 1024 },
  parameters: {
    msw: {
      handlers: [
        http.post(`${liveUrl}/api/v2/pm/upload/`, async ({ request }) => {
          const form = await request.clone().formData();
          if (form.get('qqpartindex') !== '1' || partOneHeld) return passthrough();
          partOneHeld = true;
          // Never answered: the request is held until the page gives up on it.
          return delay('infinite').then(passthrough);
        }),
      ],
    },
  },
  beforeEach: () => {
    partOneHeld = false;
  },
  play: async ({ canvasElement, loaded }) => {
    if (!(await serverReady(canvasElement, loaded))) return;
    const canvas = within(canvasElement);
    const bytes = new Uint8Array(300 * 1024);
    for (let at = 0; at < bytes.length; at += 65536) crypto.getRandomValues(bytes.subarray(at, at + 65536));
    await chooseFile(canvasElement, new File([bytes], 'live-interview.m4a', { type: 'audio/mp4' }));
    // Paused once part 1 hangs: part 0 is stored, the upload is under way.
    await waitFor(() => expect(partOneHeld).toBe(true), { timeout: 15000 });
    await userEvent.click(canvas.getByRole('button', { name: 'Pause live-interview.m4a' }));
    await expectState(canvasElement, 'paused');
    await userEvent.click(canvas.getByRole('button', { name: 'Resume live-interview.m4a' }));
    // A recording has no picture of its own: its thumbnail is a generated one.
    await expectAnswer(canvasElement, true);
    await expectState(canvasElement, 'uploaded');
    // The real server reassembled the parts: the stored file is the one chosen, byte for byte.
    const link = canvas.getByRole('link', { name: 'live-interview.m4a' });
    const stored = new Uint8Array(await (await fetch(link.getAttribute('href')!)).arrayBuffer());
    await expect(stored.length).toBe(bytes.length);
    await expect(stored.every((byte, index) => byte === bytes[index])).toBe(true);
  },
};

let thumbnailRefused = false;

/** The first thumbnail is answered 503 here (MSW, as a proxy in trouble would); Retry sends it again to the real server. */
export const ThumbnailRetry: Story = {
  args: { retry: false },
  parameters: {
    msw: {
      handlers: [
        http.post(`${liveUrl}/api/v2/pm/upload/`, async ({ request }) => {
          const form = await request.clone().formData();
          if (!form.has('qqparentuuid') || thumbnailRefused) return passthrough();
          thumbnailRefused = true;
          return HttpResponse.html('<!doctype html><title>503 Service Unavailable</title><h1>503</h1><p>nginx</p>', {
            status: 503,
          });
        }),
      ],
    },
  },
  beforeEach: () => {
    thumbnailRefused = false;
  },
  play: async ({ canvasElement, loaded }) => {
    if (!(await serverReady(canvasElement, loaded))) return;
    const canvas = within(canvasElement);
    await chooseFile(canvasElement, await makeImageFile('live-retry.png', { hue: 10 }));
    await expect(await canvas.findByRole('alert', {}, { timeout: 10000 })).toHaveTextContent(
      'The file was uploaded, but not its thumbnail.',
    );
    await userEvent.click(canvas.getByRole('button', { name: 'Retry live-retry.png' }));
    await expectState(canvasElement, 'uploaded', 15000);
    await expectAnswer(canvasElement, true);
  },
};

/**
 * Several files in one drop, to the real server: two photos, a PDF and an archive, sent two at a
 * time, each stored with its thumbnail; every stored media is fetched back whole.
 */
export const SeveralFiles: Story = {
  tags: ['firefox-stalls-worker'],
  play: async ({ canvasElement, loaded }) => {
    if (!(await serverReady(canvasElement, loaded))) return;
    stored.length = 0;
    const canvas = within(canvasElement);
    const files = [
      await makeImageFile('live-harbour.jpg', { width: 1600, height: 1200, hue: 190 }),
      await makeImageFile('live-market.png', { hue: 30 }),
      makePdfFile('live-minutes.pdf'),
      makeZipFile('live-photos.zip'),
    ];
    await chooseFiles(canvasElement, files);
    await waitFor(() => expect(canvas.getByRole('status')).toHaveTextContent('4 of 4 uploaded'), { timeout: 20000 });
    await expectState(canvasElement, 'uploaded');
    await expect(stored).toHaveLength(4);
    for (const { media, thumbnail } of stored) await expect(thumbnail?.parent_file_uuid).toBe(media.file_uuid);
    const sizes = await Promise.all(stored.map(async ({ media }) => (await (await fetch(media.file_url)).blob()).size));
    await expect(sizes.sort()).toEqual(files.map((file) => file.size).sort());
  },
};
