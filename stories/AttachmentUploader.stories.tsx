import type { Meta, StoryObj } from '@storybook/react-vite';
import { expect, fn, userEvent, waitFor, within } from 'storybook/test';
import { AttachmentUploader, type AttachmentResult } from '../src';
import { uploadMedia } from '../src/core';
import { drawFirstPage, makeMp3File, makeOpaqueFile, makePdfFile, makeZipFile } from './support/documents';
import { makeImageFile } from './support/images';
import {
  attachmentItem,
  chooseFile,
  chooseFiles,
  expectFocusOn,
  expectItemState,
  expectState,
  uploaderRoot,
} from './support/play';
import type { ReceivedRequest } from '../src/testing';
import { STORY_BASE_URL, STORY_TOKEN, storyUploadApi } from './support/uploadApi';
import { makeVideoFile } from './support/video';

/** Behaves like the real server for every call (media, parts, done and thumbnail), but for the faults a story queues. */
const api = storyUploadApi();

/**
 * The attachments of a message: every file dropped, pasted or picked is listed with its thumbnail,
 * uploaded as a media (in parts when large), then its thumbnail with the media's `file_uuid` as
 * `qqparentuuid`, two at a time; `onUploaded` gets `{ media, thumbnail? }` once per attachment.
 * Every story here talks to a canned API (MSW); see *AttachmentUploader/Live* for the real server.
 */
const meta = {
  title: 'AttachmentUploader/States',
  component: AttachmentUploader,
  args: { onUploaded: fn(), onError: fn() },
  parameters: { msw: { handlers: { upload: api.handlers } } },
  beforeEach: () => api.reset(),
} satisfies Meta<typeof AttachmentUploader>;

export default meta;
type Story = StoryObj<typeof meta>;

/** Which call each request was, in order. */
const calls = (requests: ReceivedRequest[]) =>
  requests.map(({ call, fields }) => (call === 'part' ? `part ${fields.qqpartindex}` : call));

/** The result handed to onUploaded, once. */
async function uploadedResult(onUploaded: unknown): Promise<AttachmentResult> {
  const spy = onUploaded as ReturnType<typeof fn>;
  await waitFor(() => expect(spy).toHaveBeenCalledTimes(1), { timeout: 10000 });
  return spy.mock.calls[0]![0] as AttachmentResult;
}

/** Nothing chosen yet: a hint and the real "Choose files" button. */
export const Empty: Story = {
  play: async ({ canvasElement }) => {
    await expectState(canvasElement, 'idle');
    await expect(within(canvasElement).getByText('Drag files here, paste them, or')).toBeVisible();
    await expect(within(canvasElement).getByRole('button', { name: 'Choose files' })).toBeEnabled();
  },
};

/** A photo: the media is the photo, its thumbnail the photo scaled down, sent with the media's uuid. */
export const ImageAttachment: Story = {
  // Firefox: under Storybook's dev server, with MSW's service worker in control, the image worker
  // never starts (no message, no error), so the upload waits forever; see vite.config.ts.
  tags: ['firefox-stalls-worker'],
  play: async ({ canvasElement, args }) => {
    const canvas = within(canvasElement);
    const photo = await makeImageFile('harbour.jpg', { width: 1600, height: 1200, hue: 190 });
    await chooseFile(canvasElement, photo);
    await canvas.findByRole('img', { name: 'Preview of harbour.jpg' }, { timeout: 10000 });
    await expectState(canvasElement, 'uploaded', 10000);
    const { media, thumbnail } = await uploadedResult(args.onUploaded);
    await expect(calls(api.requests)).toEqual(['media', 'thumbnail']);
    const [sentMedia, sentThumbnail] = api.requests;
    await expect(sentMedia?.file?.size).toBe(photo.size);
    await expect(sentThumbnail?.fields.qqparentuuid).toBe(media.file_uuid);
    await expect(thumbnail?.parent_file_uuid).toBe(media.file_uuid);
    // The thumbnail is the photo scaled down to 1024 px.
    const bitmap = await createImageBitmap(sentThumbnail!.file!);
    await expect([bitmap.width, bitmap.height]).toEqual([1024, 768]);
    await expect(canvas.getByRole('link', { name: 'harbour.jpg' })).toHaveAttribute('href', media.file_url);
    await expect(canvas.getByRole('status')).toHaveTextContent('1 of 1 uploaded');
  },
};

/** A video: previewed and thumbnailed by a frame captured from the local file (never downloaded again). */
export const VideoAttachment: Story = {
  // WebKit: its MediaRecorder records no WebM (MP4 is listed, and records 0 bytes), so the story cannot
  // make its clip there; see vite.config.ts.
  tags: ['webkit-records-no-video'],
  play: async ({ canvasElement, args }) => {
    const canvas = within(canvasElement);
    const clip = await makeVideoFile('sunrise.webm', { seconds: 1.5, hue: 30 });
    await chooseFile(canvasElement, clip);
    await canvas.findByRole('img', { name: 'Preview of sunrise.webm' }, { timeout: 15000 });
    const { media } = await uploadedResult(args.onUploaded);
    await expect(calls(api.requests)).toEqual(['media', 'thumbnail']);
    const [sentMedia, sentThumbnail] = api.requests;
    await expect(sentMedia?.fields.qqfiletype).toBe('video/webm');
    await expect(sentMedia?.file?.size).toBe(clip.size);
    await expect(sentThumbnail?.fields).toMatchObject({ qqparentuuid: media.file_uuid, qqfiletype: 'image/jpeg' });
    const frame = await createImageBitmap(sentThumbnail!.file!);
    await expect([frame.width, frame.height]).toEqual([320, 240]);
  },
};

/**
 * A video this browser cannot play (here: text named .webm; for real, an iPhone's HEVC in Firefox): it
 * is stored all the same, with a generated picture as its thumbnail, and no error.
 */
export const VideoWithoutFrame: Story = {
  play: async ({ canvasElement, args }) => {
    const canvas = within(canvasElement);
    await chooseFile(canvasElement, new File(['not a video at all'], 'broken.webm', { type: 'video/webm' }));
    const { media, thumbnail } = await uploadedResult(args.onUploaded);
    await expect(thumbnail?.parent_file_uuid).toBe(media.file_uuid);
    await expect(calls(api.requests)).toEqual(['media', 'thumbnail']);
    await expect(api.requests[1]!.fields.qqfilename).toMatch(/^broken-thumbnail\.(webp|png)$/);
    await expect(canvas.getByRole('img', { name: 'Preview of broken.webm' })).toBeInTheDocument();
    await expect(canvas.queryByRole('alert')).not.toBeInTheDocument();
  },
};

/** A PDF: its first page, drawn by pdf.js in its worker (loaded only now), is its preview and its thumbnail. */
export const PdfAttachment: Story = {
  play: async ({ canvasElement, args }) => {
    const canvas = within(canvasElement);
    await chooseFile(canvasElement, makePdfFile('q3-report.pdf'));
    await canvas.findByRole('img', { name: 'Preview of q3-report.pdf' }, { timeout: 15000 });
    const { media, thumbnail } = await uploadedResult(args.onUploaded);
    await expect(thumbnail?.parent_file_uuid).toBe(media.file_uuid);
    await expect(calls(api.requests)).toEqual(['media', 'thumbnail']);
    const sent = api.requests[1]!;
    await expect(sent.fields).toMatchObject({ qqfilename: 'q3-report-thumbnail.jpg', qqfiletype: 'image/jpeg' });
    // The page's aspect, 300 × 420 points, at the default 1024 px longest side.
    const page = await createImageBitmap(sent.file!);
    await expect([page.width, page.height]).toEqual([731, 1024]);
    await expect(canvas.getByRole('link', { name: 'q3-report.pdf' })).toHaveAttribute('href', media.file_url);
    await expect(attachmentItem(canvasElement, 'q3-report.pdf')).toHaveTextContent('q3-report.pdf uploaded');
  },
};

/** A PDF with the app's `makeThumbnail` (here its first page drawn on a canvas): previewed and sent as the thumbnail. */
export const PdfWithMadeThumbnail: Story = {
  args: { makeThumbnail: drawFirstPage },
  play: async ({ canvasElement, args }) => {
    const canvas = within(canvasElement);
    await chooseFile(canvasElement, makePdfFile('q3-report.pdf'));
    await canvas.findByRole('img', { name: 'Preview of q3-report.pdf' });
    const { media } = await uploadedResult(args.onUploaded);
    await expect(calls(api.requests)).toEqual(['media', 'thumbnail']);
    await expect(api.requests[1]?.fields).toMatchObject({
      qqparentuuid: media.file_uuid,
      qqfilename: 'q3-report-thumbnail.png',
    });
  },
};

/** Random bytes: a recording that does not compress. */
function recording(size: number): File {
  const bytes = new Uint8Array(size);
  // getRandomValues fills at most 64 KiB at a time.
  for (let at = 0; at < size; at += 65536) crypto.getRandomValues(bytes.subarray(at, at + 65536));
  return new File([bytes], 'interview.m4a', { type: 'audio/mp4', lastModified: Date.UTC(2024, 0, 1) });
}

/**
 * A large file goes in parts (here of 64 KiB); Pause stops after the parts sent, Resume goes on from
 * the next one. All with the keyboard: Tab reaches its Pause, Enter pauses, focus moves to its Resume.
 */
export const ChunkedPauseResume: Story = {
  args: { chunkSize: 64 * 1024 },
  play: async ({ canvasElement, args, step }) => {
    const canvas = within(canvasElement);
    // The first try of part 1 is never answered, so the upload is under way when Pause is pressed.
    api.fail({ call: 'part', when: ({ fields }) => fields.qqpartindex === '1', hang: true });
    await step('A 200 KiB recording starts going up in parts; part 1 hangs', async () => {
      await chooseFile(canvasElement, recording(200 * 1024));
      await waitFor(() => expect(calls(api.requests)).toEqual(['part 0', 'part 1']));
      await expectState(canvasElement, 'uploading');
    });

    await step('Tab to Pause, Enter: paused, focus on Resume', async () => {
      if (document.activeElement instanceof HTMLElement) document.activeElement.blur();
      await userEvent.tab();
      await expectFocusOn('Pause interview.m4a');
      await userEvent.keyboard('{Enter}');
      await expectState(canvasElement, 'paused');
      await expectFocusOn('Resume interview.m4a');
      await expect(attachmentItem(canvasElement, 'interview.m4a')).toHaveTextContent('Upload of interview.m4a paused');
      await expect(canvas.queryByRole('alert')).not.toBeInTheDocument();
      await expect(args.onError).not.toHaveBeenCalled();
    });

    await step('Enter on Resume: from part 1, never part 0 again, then done', async () => {
      await userEvent.keyboard('{Enter}');
      const { media, thumbnail } = await uploadedResult(args.onUploaded);
      // Then its thumbnail: a recording has no picture of its own, so it gets a generated one.
      await expect(calls(api.requests)).toEqual([
        'part 0',
        'part 1',
        'part 1',
        'part 2',
        'part 3',
        'done',
        'thumbnail',
      ]);
      await expect(api.requests.at(-2)?.fields.qquuid).toBe(media.file_uuid);
      await expect(thumbnail?.parent_file_uuid).toBe(media.file_uuid);
      await expectState(canvasElement, 'uploaded');
    });
  },
};

/**
 * The same large file chosen again after a reload (here: after its first 2 of 4 parts went up in an
 * earlier page, saved in IndexedDB) goes on from part 2, and says so. Part 2 is kept hanging, so that
 * the state stays on screen.
 */
export const ResumedAfterReload: Story = {
  args: { chunkSize: 64 * 1024 },
  play: async ({ canvasElement, args, step }) => {
    const file = recording(200 * 1024);
    await step('An earlier page sent parts 0 and 1, then went away', async () => {
      const gone = new AbortController();
      const earlier = uploadMedia({
        baseUrl: STORY_BASE_URL,
        token: STORY_TOKEN,
        file,
        chunkSize: 64 * 1024,
        signal: gone.signal,
        onCheckpoint: ({ nextPart }) => nextPart === 2 && gone.abort(),
      });
      await expect(earlier).rejects.toMatchObject({ kind: 'aborted' });
      await expect(calls(api.requests)).toEqual(['part 0', 'part 1']);
    });

    await step('Chosen again: from part 2, and the status says so', async () => {
      api.fail({ call: 'part', when: ({ fields }) => fields.qqpartindex === '2', hang: true });
      await chooseFile(canvasElement, file);
      await waitFor(() => expect(calls(api.requests)).toEqual(['part 0', 'part 1', 'part 2']));
      await expect(attachmentItem(canvasElement, 'interview.m4a')).toHaveTextContent('Resuming interview.m4a at 64 %');
      await expectState(canvasElement, 'uploading');
      await expect(args.onError).not.toHaveBeenCalled();
    });
  },
};

/** The thumbnail fails after the media is stored: the media is kept, and Retry sends the thumbnail alone. */
export const ThumbnailRetry: Story = {
  args: { retry: false },
  play: async ({ canvasElement, args }) => {
    const canvas = within(canvasElement);
    // The first thumbnail is refused (503); the media and later calls go through.
    api.fail({ call: 'thumbnail', status: 503, html: true });
    await chooseFile(canvasElement, await makeImageFile('harbour.png', { hue: 160 }));
    await expect(await canvas.findByRole('alert')).toHaveTextContent(
      'The file was uploaded, but not its thumbnail. The server failed to store the file (error 503). Retry in a moment.',
    );
    await expectState(canvasElement, 'error');
    await expect(calls(api.requests)).toEqual(['media', 'thumbnail']);

    await userEvent.click(canvas.getByRole('button', { name: 'Retry harbour.png' }));
    await expectItemState(canvasElement, 'harbour.png', 'uploaded');
    const { media } = await uploadedResult(args.onUploaded);
    await expect(calls(api.requests)).toEqual(['media', 'thumbnail', 'thumbnail']);
    await expect(api.requests[2]?.fields.qqparentuuid).toBe(media.file_uuid);
    await expect(canvas.queryByRole('alert')).not.toBeInTheDocument();
  },
};

/** The server refuses the media itself (413): the same alert as the thumbnail widget's, worded for a file; nothing to retry. */
export const MediaRefused: Story = {
  play: async ({ canvasElement, args }) => {
    const canvas = within(canvasElement);
    api.fail({ status: 413, error: 'Attachments are limited to 25 MB', times: Infinity });
    await chooseFile(canvasElement, makePdfFile('big-report.pdf'));
    await expect(await canvas.findByRole('alert')).toHaveTextContent(
      'The server refused the file as too large (Attachments are limited to 25 MB). Choose a smaller file.',
    );
    await expectState(canvasElement, 'error');
    await expect(canvas.queryByRole('button', { name: 'Retry big-report.pdf' })).not.toBeInTheDocument();
    await expect(canvas.getByRole('button', { name: 'Remove big-report.pdf' })).toBeEnabled();
    await expect(canvas.getByRole('button', { name: 'Choose more files' })).toBeEnabled();
    await expect(calls(api.requests)).toEqual(['media']);
    await expect(args.onError).toHaveBeenCalledWith(expect.objectContaining({ kind: 'too-large', status: 413 }));
    await expect(args.onUploaded).not.toHaveBeenCalled();
  },
};

/** Six files of six types dropped at once: two are sent, the others wait their turn, in the order chosen. */
export const MixedFiles: Story = {
  // The clip is recorded by MediaRecorder (none in WebKit) and the photos go through the image worker
  // (which stalls in Firefox under Storybook); see vite.config.ts.
  tags: ['webkit-records-no-video', 'firefox-stalls-worker'],
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    // No media is ever answered: the first two stay uploading.
    api.fail({ when: ({ call }) => call !== 'thumbnail', hang: true, times: Infinity });
    const files = [
      await makeImageFile('harbour.png', { hue: 190 }),
      await makeImageFile('market.jpg', { hue: 30 }),
      await makeVideoFile('sunrise.webm', { seconds: 1, hue: 20 }),
      makePdfFile('q3-report.pdf'),
      makeMp3File('voice-note.mp3'),
      makeZipFile('photos.zip'),
    ];
    await chooseFiles(canvasElement, files);
    await waitFor(() => expect(canvas.getAllByRole('listitem')).toHaveLength(6));
    await expect(canvas.getByRole('list', { name: 'Attachments' })).toBeVisible();
    await waitFor(() => expect(api.requests).toHaveLength(2));
    const states = () => canvas.getAllByRole('listitem').map((item) => item.dataset.state);
    await waitFor(() => expect(states()).toEqual(['uploading', 'uploading', 'queued', 'queued', 'queued', 'queued']));
    await expect(attachmentItem(canvasElement, 'photos.zip')).toHaveTextContent('Waiting to upload');
    await expect(canvas.getByRole('progressbar', { name: 'Attachments' })).toBeVisible();
    await expect(canvas.getByRole('button', { name: 'Cancel harbour.png' })).toBeEnabled();
    await expect(canvas.getByRole('status')).toHaveTextContent('0 of 6 uploaded');
    await expectState(canvasElement, 'uploading');
  },
};

/** One attachment fails (a 500 that lasts); the others are stored. Its alert and Retry are on it alone. */
export const OneFailing: Story = {
  args: { retry: false },
  tags: ['firefox-stalls-worker'],
  play: async ({ canvasElement, args }) => {
    const canvas = within(canvasElement);
    // Every media named broken-scan.pdf is refused with a 500, as long as the story runs.
    api.fail({
      when: ({ fields }) => fields.qqfilename === 'broken-scan.pdf',
      status: 500,
      error: 'Storage unavailable',
      times: Infinity,
    });
    await chooseFiles(canvasElement, [
      await makeImageFile('harbour.png', { hue: 190 }),
      makePdfFile('broken-scan.pdf'),
      await makeImageFile('market.jpg', { hue: 30 }),
    ]);
    await expectState(canvasElement, 'error', 10000);
    const failed = attachmentItem(canvasElement, 'broken-scan.pdf');
    await expect(within(failed).getByRole('alert')).toHaveTextContent(
      'The server failed to store the file (error 500). Retry in a moment.',
    );
    await expect(canvas.getAllByRole('alert')).toHaveLength(1);
    await expectItemState(canvasElement, 'harbour.png', 'uploaded');
    await expectItemState(canvasElement, 'market.jpg', 'uploaded');
    await expect(within(failed).getByRole('button', { name: 'Retry broken-scan.pdf' })).toBeEnabled();
    await expect(canvas.getByRole('status')).toHaveTextContent('2 of 3 uploaded');
    await expect(args.onUploaded).toHaveBeenCalledTimes(2);
  },
};

/** A large recording paused between its parts while a photo beside it is stored: Resume goes on from the next part. */
export const PausedChunked: Story = {
  args: { chunkSize: 64 * 1024 },
  tags: ['firefox-stalls-worker'],
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    // The recording's part 1 is never answered the first time; the photo (in parts too) goes through.
    const isHeldPart = ({ fields }: ReceivedRequest) =>
      fields.qqfilename === 'interview.m4a' && fields.qqpartindex === '1';
    api.fail({ when: isHeldPart, hang: true });
    await chooseFiles(canvasElement, [recording(200 * 1024), await makeImageFile('harbour.png', { hue: 190 })]);
    await waitFor(() => expect(api.requests.some(isHeldPart)).toBe(true));
    await userEvent.click(canvas.getByRole('button', { name: 'Pause interview.m4a' }));
    await expectItemState(canvasElement, 'interview.m4a', 'paused');
    await expectItemState(canvasElement, 'harbour.png', 'uploaded', 10000);
    await expectState(canvasElement, 'paused');
    await expect(canvas.getByRole('button', { name: 'Resume interview.m4a' })).toBeEnabled();
    await expect(canvas.getByRole('status')).toHaveTextContent('1 of 2 uploaded');
  },
};

/** More files than `maxFiles` (here 3): the first 3 are taken, and the status names the ones left out. */
export const MaxFilesReached: Story = {
  args: { maxFiles: 3 },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    const notes = ['agenda.pdf', 'minutes.pdf', 'budget.pdf', 'plan.pdf', 'photos.pdf'].map((name) =>
      makePdfFile(name),
    );
    await chooseFiles(canvasElement, notes);
    await waitFor(() =>
      expect(canvas.getByRole('status')).toHaveTextContent(
        'plan.pdf, photos.pdf were left out: at most 3 files per message.',
      ),
    );
    await expect(canvas.getAllByRole('listitem')).toHaveLength(3);
    await expectState(canvasElement, 'uploaded');
    await expect(canvas.getByRole('status')).toHaveTextContent('3 of 3 uploaded');
  },
};

/** Files with no picture of their own: audio, an archive, a document and a file with no extension. */
async function choosePictureless(canvasElement: HTMLElement): Promise<string[]> {
  const files = [
    makeMp3File('voice-note.mp3'),
    makeZipFile('holiday-photos.zip'),
    makeOpaqueFile('budget-2025.docx', '', 'PK\u0003\u0004'),
    makeOpaqueFile('README', '', '# notes'),
  ];
  await chooseFiles(canvasElement, files);
  await expectState(canvasElement, 'uploaded', 10000);
  return files.map((file) => file.name);
}

/** Each file without a picture gets one drawn on a canvas: a glyph of its type, its extension and its name. */
export const GeneratedPictures: Story = {
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    const names = await choosePictureless(canvasElement);
    for (const name of names) await expect(canvas.getByRole('img', { name: `Preview of ${name}` })).toBeVisible();
    const thumbnails = api.requests.filter(({ fields }) => fields.qqparentuuid);
    await expect(thumbnails).toHaveLength(4);
    for (const { file } of thumbnails) await expect(file?.type).toMatch(/^image\/(webp|png)$/);
  },
};

/** The same pictures on a dark page: each is an opaque card, legible on either. */
export const GeneratedPicturesDark: Story = {
  globals: { theme: 'dark' },
  play: async ({ canvasElement }) => {
    const names = await choosePictureless(canvasElement);
    await expect(uploaderRoot(canvasElement).closest('[data-theme="dark"]')).not.toBeNull();
    for (const name of names)
      await expect(within(canvasElement).getByRole('img', { name: `Preview of ${name}` })).toBeVisible();
  },
};
