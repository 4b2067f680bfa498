import type { Meta, StoryObj } from '@storybook/react-vite';
import { expect, fn, waitFor, within } from 'storybook/test';
import { ThumbnailUploader } from '../src';
import { holdUploadsAt } from './support/heldUpload';
import { makeImageFile } from './support/images';
import { arabicLabels, frenchLabels } from './support/labels';
import { chooseFile, expectState, uploaderRoot } from './support/play';
import { STORY_PARENT_UUID, STORY_UPLOAD_URL, storyUploadApi } from './support/uploadApi';

const api = storyUploadApi();

/**
 * Every visible and announced string comes from `labels`, the error sentences included
 * (`labels.errors[kind](params)`), and sizes are written with `Intl.NumberFormat` in
 * `labels.locale`. The page sets `lang` (and `dir` for a right-to-left language) around the
 * widget; its CSS uses logical properties only, so it mirrors by itself.
 */
const meta = {
  title: 'ThumbnailUploader/Languages',
  component: ThumbnailUploader,
  args: { parentUuid: STORY_PARENT_UUID, onUploaded: fn(), onError: fn() },
  parameters: { msw: { handlers: { upload: api.handlers } } },
  beforeEach: () => api.reset(),
} satisfies Meta<typeof ThumbnailUploader>;

export default meta;
type Story = StoryObj<typeof meta>;

const french: Story['decorators'] = [
  (Story) => (
    <div lang="fr">
      <Story />
    </div>
  ),
];

/** French, uploaded: hint, buttons, alt texts and the status note. */
export const French: Story = {
  args: { labels: frenchLabels },
  decorators: french,
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await expect(uploaderRoot(canvasElement)).toHaveAccessibleName('Envoi de la miniature');
    await expect(canvas.getByText('Glissez une image ici, collez-la, ou')).toBeVisible();
    await chooseFile(canvasElement, await makeImageFile('vacances.png', { hue: 340 }));
    await canvas.findByRole('img', { name: 'Miniature envoyée de vacances.png' });
    await expect(canvas.getByRole('button', { name: 'Choisir une autre image' })).toBeEnabled();
    await expect(canvas.getByRole('status')).toHaveTextContent('vacances.png envoyée');
  },
};

/** French, an image over `maxSize`: the sentence and its sizes in French ("ko", a decimal comma). */
export const FrenchTooLarge: Story = {
  args: { labels: frenchLabels, maxSize: 50 * 1024 },
  decorators: french,
  play: async ({ canvasElement, args }) => {
    const canvas = within(canvasElement);
    await chooseFile(canvasElement, await makeImageFile('appareil.png', { width: 256, height: 256, noise: true }));
    const alert = await canvas.findByRole('alert');
    await expect(alert).toHaveTextContent(
      /^appareil\.png pèse \d+,\d ko ; la limite est de 50 ko\. Choisissez une image plus légère\.$/,
    );
    // The developer's message stays English.
    await expect(args.onError).toHaveBeenCalledWith(
      expect.objectContaining({ kind: 'too-large', message: expect.stringContaining('over 50 kB') }),
    );
    await expect(api.requests).toHaveLength(0);
  },
};

/**
 * Arabic, right to left (`dir="rtl"` on the page): the widget mirrors, the progress bar fills from
 * the right, sizes are written the Arabic way. Held at 40 % to show the bar.
 */
export const ArabicRightToLeft: Story = {
  args: { labels: arabicLabels },
  decorators: [
    (Story) => (
      <div lang="ar" dir="rtl">
        <Story />
      </div>
    ),
  ],
  beforeEach: () => holdUploadsAt(STORY_UPLOAD_URL, 0.4),
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    const root = uploaderRoot(canvasElement);
    await expect(getComputedStyle(root).direction).toBe('rtl');
    await expect(root).toHaveAccessibleName('رفع الصورة المصغّرة');
    await chooseFile(canvasElement, await makeImageFile('عطلة.png', { hue: 40 }));
    const progress = await canvas.findByRole('progressbar', { name: 'جارٍ رفع عطلة.png' });
    await waitFor(() => expect(progress).toHaveAttribute('aria-valuenow', '40'));
    await expectState(canvasElement, 'uploading');
    // The filled part starts at the right edge (the inline start) of the track.
    const bar = progress.firstElementChild as HTMLElement;
    await waitFor(() => expect(bar.getBoundingClientRect().width).toBeGreaterThan(0));
    await expect(Math.round(bar.getBoundingClientRect().right)).toBe(
      Math.round(progress.getBoundingClientRect().right),
    );
    await expect(canvas.getByRole('button', { name: 'إلغاء' })).toBeEnabled();
    await expect(canvas.getByRole('status')).toHaveTextContent('جارٍ رفع عطلة.png');
  },
};
