import type { Meta, StoryObj } from '@storybook/react-vite';
import { expect, fn, waitFor, within } from 'storybook/test';
import { ThumbnailUploader } from '../src';
import { holdUploadsAt } from './support/heldUpload';
import { makeImageFile } from './support/images';
import { chooseFile, expectState, uploaderRoot } from './support/play';
import { STORY_PARENT_UUID, STORY_UPLOAD_URL, storyUploadApi } from './support/uploadApi';

const api = storyUploadApi();

/**
 * The widget on a dark page: the host sets `data-theme="dark"` on any ancestor (here the story's
 * wrapper, from the Theme toolbar) and every `--rtu-*` colour switches; without it the widget follows
 * `prefers-color-scheme`. axe checks the contrast of every text in each state against the dark colours.
 */
const meta = {
  title: 'ThumbnailUploader/Dark theme',
  component: ThumbnailUploader,
  globals: { theme: 'dark' },
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

/** The widget's surface is the dark one: proof that `data-theme="dark"` on an ancestor reached it. */
async function expectDarkSurface(canvasElement: HTMLElement): Promise<void> {
  const root = uploaderRoot(canvasElement);
  await expect(root.closest('[data-theme="dark"]')).not.toBeNull();
  await expect(getComputedStyle(root).backgroundColor).toBe('rgb(27, 32, 39)');
}

/** Nothing chosen yet. */
export const Empty: Story = {
  play: async ({ canvasElement }) => {
    await expectState(canvasElement, 'idle');
    await expectDarkSurface(canvasElement);
    await expect(within(canvasElement).getByRole('button', { name: 'Choose image' })).toBeEnabled();
  },
};

/** 40 % sent, held there (see States/Uploading). */
export const Uploading: Story = {
  beforeEach: () => holdUploadsAt(STORY_UPLOAD_URL, 0.4),
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await chooseFile(canvasElement, await makeImageFile('night-lake.png', { hue: 250 }));
    const progress = await canvas.findByRole('progressbar', { name: 'Uploading night-lake.png' });
    await waitFor(() => expect(progress).toHaveAttribute('aria-valuenow', '40'));
    await expectState(canvasElement, 'uploading');
    await expectDarkSurface(canvasElement);
  },
};

/** Stored by the server and shown from its `file_url`. */
export const Uploaded: Story = {
  play: async ({ canvasElement, args }) => {
    const canvas = within(canvasElement);
    await chooseFile(canvasElement, await makeImageFile('night-lake.png', { hue: 250 }));
    await canvas.findByRole('img', { name: 'Uploaded thumbnail of night-lake.png' });
    await expectState(canvasElement, 'uploaded');
    await expectDarkSurface(canvasElement);
    await expect(canvas.getByRole('status')).toHaveTextContent('night-lake.png uploaded');
    await expect(args.onUploaded).toHaveBeenCalledTimes(1);
  },
};

/** An error: the token was refused. The alert's colours on the dark surface, and Retry. */
export const SessionExpired: Story = {
  beforeEach: () => {
    api.fail({ status: 401, error: 'The bearer token is not valid.', times: Infinity });
  },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await chooseFile(canvasElement, await makeImageFile('night-lake.png', { hue: 250 }));
    // The photo is checked and prepared first: on two busy cores that can outlast findBy's 1 s.
    await expect(await canvas.findByRole('alert', {}, { timeout: 5000 })).toHaveTextContent(
      'Your session has expired. Sign in again, then retry.',
    );
    await expectState(canvasElement, 'error');
    await expectDarkSurface(canvasElement);
    await expect(canvas.getByRole('button', { name: 'Retry' })).toBeEnabled();
  },
};
