import type { Meta, StoryObj } from '@storybook/react-vite';
import { expect, fn, userEvent, waitFor, within } from 'storybook/test';
import { ThumbnailUploader } from '../src';
import { holdUploadsAt } from './support/heldUpload';
import { makeImageFile } from './support/images';
import { chooseFile, dragFilesOver, dropFiles, expectState, uploaderRoot } from './support/play';
import { STORY_PARENT_UUID, STORY_TOKEN, STORY_UPLOAD_URL, storyUploadApi } from './support/uploadApi';

/** Behaves like the real server (stores the image and answers where it now lives), but for the faults a story queues. */
const api = storyUploadApi();

const meta = {
  title: 'ThumbnailUploader/States',
  component: ThumbnailUploader,
  args: {
    parentUuid: STORY_PARENT_UUID,
    onUploaded: fn(),
    onError: fn(),
  },
  parameters: {
    msw: { handlers: { upload: api.handlers } },
    docs: {
      description: {
        component:
          'Drop, pick or paste an image: it is previewed at once, posted as the thumbnail of the media `parentUuid` ' +
          'to `${baseUrl}/api/v2/pm/upload/` with the token of the surrounding `<UploaderProvider>`, and then shown ' +
          'from the `file_url` the server answered. Every story here talks to a canned API (MSW); see ' +
          '*ThumbnailUploader/Live* for the real local server.',
      },
    },
  },
  beforeEach: () => api.reset(),
} satisfies Meta<typeof ThumbnailUploader>;

export default meta;
type Story = StoryObj<typeof meta>;

/** Nothing chosen yet: a hint and the real "Choose image" button. */
export const Empty: Story = {
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await expectState(canvasElement, 'idle');
    await expect(canvas.getByText('Drag an image here, paste it, or')).toBeVisible();
    await expect(canvas.getByRole('button', { name: 'Choose image' })).toBeEnabled();
    await expect(canvas.queryByRole('alert')).not.toBeInTheDocument();
  },
};

/** A file is dragged from the desktop and held over the widget. */
export const DraggingOver: Story = {
  play: async ({ canvasElement }) => {
    await dragFilesOver(canvasElement, [await makeImageFile('holiday.png')]);
    await expectState(canvasElement, 'dragging');
    await expect(within(canvasElement).getByText('Drop the image to upload it')).toBeVisible();
  },
};

/** With `autoUpload={false}` a chosen image waits, previewed from an object URL, for "Upload". */
export const Previewing: Story = {
  args: { autoUpload: false },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await chooseFile(canvasElement, await makeImageFile('holiday.png', { hue: 260 }));
    await expectState(canvasElement, 'previewing');
    const preview = await canvas.findByRole('img', { name: 'Preview of holiday.png' });
    await expect(preview.getAttribute('src')).toMatch(/^blob:/);
    await waitFor(() => expect((preview as HTMLImageElement).naturalWidth).toBeGreaterThan(0));
    await expect(canvas.getByRole('button', { name: 'Upload' })).toBeEnabled();
    await expect(canvas.getByRole('button', { name: 'Choose another image' })).toBeEnabled();
    await expect(api.requests).toHaveLength(0);
  },
};

/**
 * The upload is 40 % sent and stays there. A service worker cannot hold a request part-way,
 * so this story replaces XMLHttpRequest for the upload URL with one that reports progress
 * events up to 40 % and never finishes (restored when the story is left).
 */
export const Uploading: Story = {
  beforeEach: () => holdUploadsAt(STORY_UPLOAD_URL, 0.4),
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await chooseFile(canvasElement, await makeImageFile('holiday.png', { hue: 200 }));
    const progress = await canvas.findByRole('progressbar', { name: 'Uploading holiday.png' });
    await waitFor(() => expect(progress).toHaveAttribute('aria-valuenow', '40'));
    await expectState(canvasElement, 'uploading');
    await expect(canvas.getByRole('button', { name: 'Cancel' })).toBeEnabled();
    await expect(canvas.getByRole('img', { name: 'Preview of holiday.png' })).toBeVisible();
  },
};

/** The server stored the image; the widget shows it from the answered `file_url`, with a link. */
export const Uploaded: Story = {
  play: async ({ canvasElement, args }) => {
    const canvas = within(canvasElement);
    const file = await makeImageFile('holiday.png', { hue: 20 });
    await chooseFile(canvasElement, file);

    const image = await canvas.findByRole('img', { name: 'Uploaded thumbnail of holiday.png' });
    await expectState(canvasElement, 'uploaded');
    // The image shown is the one the (canned) server stored and serves back.
    await waitFor(() => expect((image as HTMLImageElement).naturalWidth).toBe(640));
    const link = canvas.getByRole('link', { name: 'Uploaded thumbnail of holiday.png' });
    await expect(link).toHaveAttribute('href', image.getAttribute('src'));
    await expect(canvas.getByRole('status')).toHaveTextContent('holiday.png uploaded');

    // What the server received: one form with the protocol's fields, and the token.
    await expect(api.requests).toHaveLength(1);
    const [sent] = api.requests;
    await expect(sent?.authorization).toBe(`Bearer ${STORY_TOKEN}`);
    await expect(sent?.fields).toMatchObject({
      qqparentuuid: STORY_PARENT_UUID,
      qqfilename: 'holiday.png',
      qqfiletype: 'image/png',
      qqtotalfilesize: String(file.size),
    });
    await expect(sent?.fields.qqmd5).toMatch(/^[0-9a-f]{32}$/);
    await expect(sent?.file?.size).toBe(file.size);
    await expect(args.onUploaded).toHaveBeenCalledTimes(1);
    await expect(args.onUploaded).toHaveBeenCalledWith(
      expect.objectContaining({ file_url: image.getAttribute('src'), parent_file_uuid: STORY_PARENT_UUID }),
    );
  },
};

/**
 * A big photo, larger than `maxSize` (here 2 MB): it is scaled down to 1024 px in a worker, and what
 * is sent fits the limit.
 */
export const LargePhotoScaledDown: Story = {
  // Firefox: under Storybook's dev server, with MSW's service worker in control, the image worker
  // never starts (no message, no error), so the upload waits forever; see vite.config.ts.
  tags: ['firefox-stalls-worker'],
  args: { maxSize: 2 * 1024 * 1024 },
  play: async ({ canvasElement }) => {
    const photo = await makeImageFile('camera.jpg', { width: 2000, height: 1500, noise: true, hue: 200 });
    await expect(photo.size).toBeGreaterThan(2 * 1024 * 1024);
    await chooseFile(canvasElement, photo);
    await within(canvasElement).findByRole('img', { name: 'Uploaded thumbnail of camera.jpg' }, { timeout: 10000 });
    const sent = api.requests.at(-1);
    await expect(sent?.file?.size).toBeLessThanOrEqual(2 * 1024 * 1024);
    await expect(sent?.fields.qqtotalfilesize).toBe(String(sent?.file?.size));
    const bitmap = await createImageBitmap(sent!.file!);
    await expect([bitmap.width, bitmap.height]).toEqual([1024, 768]);
  },
};

/** Dropping works like choosing: the image is uploaded at once. */
export const UploadedByDrop: Story = {
  play: async ({ canvasElement }) => {
    await dropFiles(canvasElement, [await makeImageFile('dropped.jpg', { hue: 30 })]);
    await within(canvasElement).findByRole('img', { name: 'Uploaded thumbnail of dropped.jpg' });
    await expectState(canvasElement, 'uploaded');
    await expect(api.requests[0]?.fields.qqfiletype).toBe('image/jpeg');
  },
};

/** The server fails (500) until it recovers; the person presses Retry and the same image goes up. */
export const RetryAfterFailure: Story = {
  play: async ({ canvasElement, args }) => {
    const canvas = within(canvasElement);
    const outage = api.fail({ status: 500, html: true, times: Infinity });
    await chooseFile(canvasElement, await makeImageFile('holiday.png', { hue: 280 }));
    // Generous timeout: automatic retries with backoff may come before the error is shown.
    await expect(await canvas.findByRole('alert', {}, { timeout: 15000 })).toHaveTextContent('error 500');
    const failedTries = api.requests.length;
    await expect(failedTries).toBeGreaterThanOrEqual(1);

    outage.remove();
    await userEvent.click(canvas.getByRole('button', { name: 'Retry' }));
    await canvas.findByRole('img', { name: 'Uploaded thumbnail of holiday.png' });
    await expectState(canvasElement, 'uploaded');
    await expect(canvas.queryByRole('alert')).not.toBeInTheDocument();
    await expect(api.requests).toHaveLength(failedTries + 1);
    await expect(args.onUploaded).toHaveBeenCalledTimes(1);
  },
};

/** The server receives the request and never answers; the person presses Cancel and is back where they started. */
export const Cancelled: Story = {
  play: async ({ canvasElement, args }) => {
    const canvas = within(canvasElement);
    api.fail({ hang: true });
    await chooseFile(canvasElement, await makeImageFile('holiday.png'));
    await canvas.findByRole('progressbar');
    await waitFor(() => expect(api.requests).toHaveLength(1));

    await userEvent.click(canvas.getByRole('button', { name: 'Cancel' }));
    await expectState(canvasElement, 'idle');
    await expect(canvas.queryByRole('progressbar')).not.toBeInTheDocument();
    await expect(canvas.queryByRole('alert')).not.toBeInTheDocument();
    await expect(canvas.getByRole('status')).toHaveTextContent('Upload cancelled.');
    await expect(canvas.getByRole('button', { name: 'Choose image' })).toBeEnabled();
    await expect(args.onError).not.toHaveBeenCalled();
  },
};

/** Nothing can be chosen or dropped. */
export const Disabled: Story = {
  args: { disabled: true },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await expect(canvas.getByRole('button', { name: 'Choose image' })).toBeDisabled();
    await dropFiles(canvasElement, [await makeImageFile('holiday.png')]);
    await expectState(canvasElement, 'idle');
    await expect(uploaderRoot(canvasElement)).toHaveAttribute('data-disabled', 'true');
    await expect(api.requests).toHaveLength(0);
  },
};

/** Every string comes from `labels`; here in French, uploaded. */
export const CustomLabels: Story = {
  args: {
    labels: {
      hint: 'Glissez une image ici, collez-la, ou',
      dropHere: 'Déposez l’image pour l’envoyer',
      choose: 'Choisir une image',
      chooseAnother: 'Choisir une autre image',
      upload: 'Envoyer',
      cancel: 'Annuler',
      retry: 'Réessayer',
      uploading: (name) => `Envoi de ${name}`,
      uploaded: (name) => `${name} envoyée`,
      previewAlt: (name) => `Aperçu de ${name}`,
      uploadedAlt: (name) => `Miniature envoyée de ${name}`,
    },
  },
  decorators: [
    (Story) => (
      <div lang="fr">
        <Story />
      </div>
    ),
  ],
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await expect(canvas.getByText('Glissez une image ici, collez-la, ou')).toBeVisible();
    await chooseFile(canvasElement, await makeImageFile('vacances.png', { hue: 340 }));
    await canvas.findByRole('img', { name: 'Miniature envoyée de vacances.png' });
    await expect(canvas.getByRole('button', { name: 'Choisir une autre image' })).toBeEnabled();
    await expect(canvas.getByRole('status')).toHaveTextContent('vacances.png envoyée');
  },
};

/** `unstyled` drops the built-in classes: the markup and its roles stay, the look is the host's. */
export const Unstyled: Story = {
  args: { unstyled: true, className: 'my-uploader' },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    const root = uploaderRoot(canvasElement);
    await expect(root).toHaveClass('my-uploader', { exact: true });
    await expect(canvasElement.querySelector('[class^="rtu"]')).toBeNull();
    await chooseFile(canvasElement, await makeImageFile('holiday.png', { width: 160, height: 120 }));
    await canvas.findByRole('img', { name: 'Uploaded thumbnail of holiday.png' });
    await expectState(canvasElement, 'uploaded');
  },
};
