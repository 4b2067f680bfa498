import type { Meta, StoryObj } from '@storybook/react-vite';
import { expect, userEvent, within } from 'storybook/test';
import { ThumbnailUploader } from '../../../src';
import { mockUploadApi } from '../../../src/testing';

// The same in-memory API in an app's own Storybook, through msw-storybook-addon.
const api = mockUploadApi({ baseUrl: 'https://community.example' });

const meta = {
  component: ThumbnailUploader,
  args: { parentUuid: 'media-42' },
  parameters: { msw: { handlers: api.handlers } },
  beforeEach: () => api.reset(),
} satisfies Meta<typeof ThumbnailUploader>;
export default meta;

/** A 2 × 2 PNG. */
const cover = Uint8Array.from(
  atob('iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAYAAABytg0kAAAAEUlEQVR4nGM4EaDxH4QZYAwAT/QI/XT94xkAAAAASUVORK5CYII='),
  (char) => char.charCodeAt(0),
);

/** Every thumbnail is refused with a proxy's HTML page: the person sees a sentence, not the page. */
export const ServerDown: StoryObj<typeof meta> = {
  play: async ({ canvasElement }) => {
    api.fail({ call: 'thumbnail', status: 502, html: true, times: Infinity });
    const input = canvasElement.querySelector<HTMLInputElement>('input[type="file"]')!;
    await userEvent.upload(input, new File([cover], 'cover.png', { type: 'image/png' }));
    const alert = await within(canvasElement).findByRole('alert', {}, { timeout: 15000 });
    await expect(alert).toHaveTextContent('error 502');
    await expect(api.requests.at(-1)?.status).toBe(502);
  },
};
