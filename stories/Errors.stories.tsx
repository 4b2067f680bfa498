import type { Meta, StoryObj } from '@storybook/react-vite';
import { expect, fn, within } from 'storybook/test';
import { ThumbnailUploader, type UploadErrorKind } from '../src';
import type { UploadFault } from '../src/testing';
import { makeImageFile, makeTextFile } from './support/images';
import { chooseFile, dropFiles, expectState } from './support/play';
import { STORY_PARENT_UUID, storyUploadApi } from './support/uploadApi';

const api = storyUploadApi();

/**
 * One story per failure a person can meet. Each story's canned server answers one way; the play
 * function picks an image like a person would and checks the sentence they are shown.
 */
const meta = {
  title: 'ThumbnailUploader/Errors',
  component: ThumbnailUploader,
  args: {
    parentUuid: STORY_PARENT_UUID,
    onUploaded: fn(),
    onError: fn(),
  },
  parameters: { msw: { handlers: { upload: api.handlers } } },
  beforeEach: () => api.reset(),
} satisfies Meta<typeof ThumbnailUploader>;

export default meta;
type Story = StoryObj<typeof meta>;

interface ErrorStoryOptions {
  /** How the canned server answers every upload (else as the real server). */
  fault?: UploadFault;
  /** What the person picks (default: a real PNG). */
  file?: () => Promise<File> | File;
  /** Drop the file instead of choosing it. */
  drop?: boolean;
  /** Text the alert must contain. */
  says: string | RegExp;
  kind: UploadErrorKind;
  /** Whether a Retry button is offered. */
  retry: boolean;
  /** Whether the request must have reached the server (`false`: refused before any byte was sent). */
  sent: boolean;
  args?: Story['args'];
}

/** A story that reaches one error the way a person would, and checks what they see. */
function errorStory({ fault, file, drop = false, says, kind, retry, sent, args }: ErrorStoryOptions): Story {
  return {
    args,
    play: async ({ canvasElement, args: storyArgs }) => {
      const canvas = within(canvasElement);
      if (fault) api.fail({ ...fault, times: Infinity });
      const chosen = file ? await file() : await makeImageFile('holiday.png', { hue: 340 });
      if (drop) await dropFiles(canvasElement, [chosen]);
      else await chooseFile(canvasElement, chosen);

      // Generous timeout: 5xx and network failures may be retried automatically, with backoff, first.
      const alert = await canvas.findByRole('alert', {}, { timeout: 15000 });
      await expect(alert).toHaveTextContent(says);
      // Never the server's raw HTML or a stack trace.
      await expect(alert.textContent).not.toMatch(/<|Error:|undefined/);
      await expectState(canvasElement, 'error');
      if (retry) await expect(canvas.getByRole('button', { name: 'Retry' })).toBeEnabled();
      else await expect(canvas.queryByRole('button', { name: 'Retry' })).not.toBeInTheDocument();
      await expect(canvas.queryByRole('link')).not.toBeInTheDocument();

      if (sent) await expect(api.requests.length).toBeGreaterThanOrEqual(1);
      else await expect(api.requests).toHaveLength(0);
      await expect(storyArgs.onError).toHaveBeenLastCalledWith(expect.objectContaining({ kind }));
      await expect(storyArgs.onUploaded).not.toHaveBeenCalled();
    },
  };
}

/** 401: the token was refused. */
export const Auth = errorStory({
  fault: { status: 401, error: 'The bearer token is not valid.' },
  says: 'Your session has expired. Sign in again, then retry.',
  kind: 'auth',
  retry: true,
  sent: true,
});

/** 403: signed in, but not allowed to attach to this media. */
export const Forbidden = errorStory({
  fault: { status: 403, error: 'Not a participant of this conversation.' },
  says: 'You are not allowed to upload here.',
  kind: 'forbidden',
  retry: false,
  sent: true,
});

/** 400 with the server's JSON reason, which is shown in brackets. */
export const Rejected = errorStory({
  fault: { status: 400, error: 'qqparentuuid does not name a media' },
  says: 'The server refused the upload (qqparentuuid does not name a media).',
  kind: 'rejected',
  retry: false,
  sent: true,
});

/** 413 from the server: its limit is lower than the widget's. */
export const TooLargeForServer = errorStory({
  fault: { status: 413, error: 'Thumbnails are limited to 2 MB' },
  says: 'The server refused the image as too large (Thumbnails are limited to 2 MB). Choose a smaller image.',
  kind: 'too-large',
  retry: false,
  sent: true,
});

/** Over `maxSize` (here 50 KB): refused on the spot, nothing is sent. */
export const TooLargePicked = errorStory({
  args: { maxSize: 50 * 1024 },
  file: () => makeImageFile('camera-raw.png', { width: 256, height: 256, noise: true }),
  says: /^camera-raw\.png is \d+(\.\d)? kB; the limit is 50 kB\. Choose a smaller image\.$/,
  kind: 'too-large',
  retry: false,
  sent: false,
});

/** A text file named `.png` (so the browser calls it image/png): its bytes give it away before any request. */
export const InvalidFile = errorStory({
  file: () => makeTextFile('notes.png', 'These are notes, not a picture.\n', 'image/png'),
  says: 'notes.png is not an image we can use.',
  kind: 'invalid-file',
  retry: false,
  sent: false,
});

/** A PNG cut off half-way, as an interrupted download leaves it: right first bytes, but it does not decode. */
export const DamagedImage = errorStory({
  file: async () => {
    const whole = await makeImageFile('half-downloaded.png', { hue: 30 });
    return new File([whole.slice(0, Math.floor(whole.size / 2))], whole.name, { type: whole.type });
  },
  says: 'This image is damaged or incomplete and cannot be shown. Choose another copy of it.',
  kind: 'invalid-file',
  retry: false,
  sent: false,
});

/** A PDF dropped on the widget: not an image by its bytes, refused without a preview or a request. */
export const NotAnImageDropped = errorStory({
  file: () => makeTextFile('report.pdf', '%PDF-1.7\n', 'application/pdf'),
  drop: true,
  says: 'report.pdf is not an image we can use.',
  kind: 'invalid-file',
  retry: false,
  sent: false,
});

/** 500 with an HTML error page: the person sees a sentence, not the page. */
export const Server = errorStory({
  fault: { status: 500, html: true },
  says: 'The server failed to store the image (error 500). Retry in a moment.',
  kind: 'server',
  retry: true,
  sent: true,
});

/** The connection fails (offline, DNS, CORS): no status at all. */
export const Network = errorStory({
  fault: { networkError: true },
  says: 'The upload could not reach the server. Check your connection and retry.',
  kind: 'network',
  retry: true,
  sent: true,
});

/** 200 with an HTML page (a login portal or proxy in the way): not an upload result. */
export const BadResponseHtml = errorStory({
  fault: { status: 200, html: '<!doctype html><title>Sign in</title><h1>Sign in to continue</h1>' },
  says: 'The server answered something that is not an upload result.',
  kind: 'bad-response',
  retry: true,
  sent: true,
});

/** 200 whose `file_url` is `javascript:…`: never put in an `<img>` or a link. */
export const BadResponseUnsafeUrl = errorStory({
  fault: {
    status: 200,
    body: {
      file_url: 'javascript:alert(1)',
      file_uuid: '0d6f6a8e-2b1c-4c3d-8e9f-a0b1c2d3e4f5',
      parent_file_uuid: STORY_PARENT_UUID,
    },
  },
  says: "The server's answer has a file_url that is not a web address",
  kind: 'bad-response',
  retry: true,
  sent: true,
});
