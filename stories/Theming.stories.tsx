import type { Meta, StoryObj } from '@storybook/react-vite';
import type { CSSProperties } from 'react';
import { expect, fn, within } from 'storybook/test';
import { ThumbnailUploader } from '../src';
import { makeImageFile } from './support/images';
import { chooseFile, expectState, uploaderRoot } from './support/play';
import { STORY_PARENT_UUID, storyUploadApi } from './support/uploadApi';

const api = storyUploadApi();

/**
 * The widget's look is set from outside: `--rtu-*` custom properties on any ancestor (a brand
 * theme, no CSS of its own), or `unstyled` with a class of the page's own for each part
 * (`classNames`). axe checks the contrast of every text in each story.
 */
const meta = {
  title: 'ThumbnailUploader/Theming',
  component: ThumbnailUploader,
  args: { parentUuid: STORY_PARENT_UUID, onUploaded: fn(), onError: fn() },
  parameters: { msw: { handlers: { upload: api.handlers } } },
  beforeEach: () => api.reset(),
} satisfies Meta<typeof ThumbnailUploader>;

export default meta;
type Story = StoryObj<typeof meta>;

/** A brand's theme: only `--rtu-*` overrides, set on a wrapper (the app's own theme root). */
const brand = {
  '--rtu-font': "Georgia, 'Times New Roman', serif",
  '--rtu-font-size': '1rem',
  '--rtu-text': '#2b1d0e',
  '--rtu-muted': '#5c4326',
  '--rtu-surface': '#fffaf3',
  '--rtu-surface-alt': '#f6ead8',
  '--rtu-track': '#ead9c0',
  '--rtu-border': '#8a6a45',
  '--rtu-accent': '#6b2480',
  '--rtu-accent-text': '#ffffff',
  '--rtu-danger': '#9b1c1c',
  '--rtu-danger-surface': '#fdecea',
  '--rtu-focus': '#6b2480',
  '--rtu-radius': '4px',
  '--rtu-gap': '1rem',
  '--rtu-padding': '1.5rem',
  '--rtu-media-size': '10rem',
} as CSSProperties;

/** A custom brand: serif type, warm paper, square corners, a purple accent; axe checks its contrast. */
export const BrandTheme: Story = {
  decorators: [
    (Story) => (
      <div style={brand}>
        <Story />
      </div>
    ),
  ],
  play: async ({ canvasElement }) => {
    const root = uploaderRoot(canvasElement);
    await expect(getComputedStyle(root).borderTopLeftRadius).toBe('4px');
    await expect(getComputedStyle(root).fontFamily).toContain('Georgia');
    await expect(getComputedStyle(root).backgroundColor).toBe('rgb(255, 250, 243)');
    await chooseFile(canvasElement, await makeImageFile('brand.png', { hue: 300 }));
    await within(canvasElement).findByRole('img', { name: 'Uploaded thumbnail of brand.png' });
    await expectState(canvasElement, 'uploaded');
  },
};

/** The brand theme's alert and primary (Retry) button, whose contrast axe checks too. */
export const BrandThemeError: Story = {
  ...BrandTheme,
  beforeEach: () => {
    api.fail({ status: 401, error: 'The bearer token is not valid.', times: Infinity });
  },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await chooseFile(canvasElement, await makeImageFile('brand.png', { hue: 300 }));
    await expect(await canvas.findByRole('alert')).toHaveTextContent('Your session has expired');
    const retry = canvas.getByRole('button', { name: 'Retry' });
    await expect(getComputedStyle(retry).backgroundColor).toBe('rgb(107, 36, 128)');
  },
};

/**
 * `unstyled` drops every built-in class; `classNames` gives each part a class of the page's own
 * (styled in this Storybook's preview.css, as an app's stylesheet would).
 */
export const UnstyledWithOwnClasses: Story = {
  args: {
    unstyled: true,
    className: 'demo-uploader',
    classNames: {
      root: 'demo-root',
      media: 'demo-media',
      image: 'demo-image',
      hint: 'demo-hint',
      progress: 'demo-progress',
      bar: 'demo-bar',
      alert: 'demo-alert',
      actions: 'demo-actions',
      button: 'demo-button',
      primaryButton: 'demo-button demo-button--primary',
      status: 'demo-status',
    },
  },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    const root = uploaderRoot(canvasElement);
    await expect(root.className).toBe('demo-root demo-uploader');
    await expect(canvasElement.querySelector('[class*="rtu"]')).toBeNull();
    await expect(canvas.getByRole('button', { name: 'Choose image' })).toHaveClass('demo-button', { exact: true });
    await expect(getComputedStyle(root).borderTopStyle).toBe('solid');
    await chooseFile(canvasElement, await makeImageFile('plain.png', { width: 160, height: 120 }));
    await expect(await canvas.findByRole('img', { name: 'Uploaded thumbnail of plain.png' })).toHaveClass('demo-image');
    await expect(canvas.getByRole('status')).toHaveClass('demo-status');
  },
};
