import type { Meta, StoryObj } from '@storybook/react-vite';
import { expect, fn, userEvent, waitFor, within } from 'storybook/test';
import { ThumbnailUploader } from '../src';
import { makeImageFile } from './support/images';
import { expectFocusOn, expectState, fakeFilePicker, watchFocus, type FocusLog } from './support/play';
import { STORY_PARENT_UUID, storyUploadApi } from './support/uploadApi';

const api = storyUploadApi();

/**
 * The widget with the keyboard alone: Tab, Enter and Space, never the mouse. Each story records
 * where focus is after every change of the widget, and fails if it ever falls back to the page
 * (`document.body`), which would send a keyboard or screen-reader user back to the top.
 *
 * The file picker is the browser's own dialog, which a story cannot drive: "Choose image" really
 * clicks the hidden `<input type="file">`; the story catches that click (no dialog opens), counts
 * it, and answers as the dialog would, by filling the input and firing `change`.
 */
const meta = {
  title: 'ThumbnailUploader/Keyboard',
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

/** Moves focus back to the page, as after loading it, so that the first Tab starts from the top. */
function startFromTheTop(): void {
  if (document.activeElement instanceof HTMLElement) document.activeElement.blur();
}

/** Tab to "Choose image", open the picker with Enter and Space, pick, fail, retry with Enter, succeed. */
export const ChooseFailRetry: Story = {
  play: async ({ canvasElement, args, step }) => {
    const canvas = within(canvasElement);
    // The server is down (503): its first answer is held until the story lets it go.
    const firstAnswer = api.fail({ hang: true, status: 503, html: true });
    const outage = api.fail({ status: 503, html: true, times: Infinity });
    const picker = fakeFilePicker(canvasElement);
    let focus: FocusLog | undefined;
    try {
      await step('Tab reaches "Choose image" first', async () => {
        startFromTheTop();
        await userEvent.tab();
        await expectFocusOn('Choose image');
        // From here on, focus is in the widget and must stay there.
        focus = watchFocus(canvasElement);
      });

      await step('Enter and Space on it open the file picker', async () => {
        await userEvent.keyboard('{Enter}');
        await expect(picker.opened).toBe(1);
        await userEvent.keyboard(' ');
        await expect(picker.opened).toBe(2);
        // Closing the picker without a file leaves everything as it was.
        await expectState(canvasElement, 'idle');
        await expectFocusOn('Choose image');
      });

      await step('A picked image starts uploading; focus moves to "Cancel"', async () => {
        picker.willChoose(await makeImageFile('holiday.png', { hue: 200 }));
        await userEvent.keyboard('{Enter}');
        await expect(picker.opened).toBe(3);
        await expectState(canvasElement, 'uploading');
        await waitFor(() => expect(api.requests).toHaveLength(1));
        await expectFocusOn('Cancel');
        await expect(canvas.getByRole('status')).toHaveTextContent('Uploading holiday.png');
      });

      await step('The server fails; focus is on "Retry"', async () => {
        firstAnswer.release();
        await expect(await canvas.findByRole('alert', {}, { timeout: 15000 })).toHaveTextContent('error 503');
        await expectState(canvasElement, 'error');
        await expectFocusOn('Retry');
        await expect(args.onError).toHaveBeenCalledWith(expect.objectContaining({ kind: 'server' }));
      });

      await step(
        'Enter on "Retry" sends the image again; once uploaded, focus is on "Choose another image"',
        async () => {
          const failedTries = api.requests.length;
          outage.remove();
          await userEvent.keyboard('{Enter}');
          await canvas.findByRole('img', { name: 'Uploaded thumbnail of holiday.png' });
          await expectState(canvasElement, 'uploaded');
          await expect(api.requests).toHaveLength(failedTries + 1);
          await expectFocusOn('Choose another image');
          await expect(canvas.getByRole('status')).toHaveTextContent('holiday.png uploaded');
          await expect(args.onUploaded).toHaveBeenCalledTimes(1);
        },
      );

      await step('Focus never fell back to the page', async () => {
        await expect(focus?.entries).not.toContainEqual(expect.objectContaining({ focus: 'body' }));
        await expect(focus?.entries).toContainEqual({ state: 'uploading', focus: 'button Cancel' });
        await expect(focus?.entries).toContainEqual({ state: 'error', focus: 'button Retry' });
      });
    } finally {
      picker.stop();
      focus?.stop();
    }
  },
};

/** Pick with the keyboard, then Cancel with it: focus goes back to "Choose image", and the cancel is announced. */
export const ChooseThenCancel: Story = {
  play: async ({ canvasElement, args, step }) => {
    const canvas = within(canvasElement);
    api.fail({ hang: true });
    const picker = fakeFilePicker(canvasElement);
    let focus: FocusLog | undefined;
    try {
      await step('Tab to "Choose image" and pick an image with Space', async () => {
        startFromTheTop();
        await userEvent.tab();
        await expectFocusOn('Choose image');
        // From here on, focus is in the widget and must stay there.
        focus = watchFocus(canvasElement);
        picker.willChoose(await makeImageFile('holiday.png', { hue: 20 }));
        await userEvent.keyboard(' ');
        await expectState(canvasElement, 'uploading');
        await waitFor(() => expect(api.requests).toHaveLength(1));
      });

      await step('Focus is on "Cancel" while the server does not answer', async () => {
        await expectFocusOn('Cancel');
        await expect(canvas.getByRole('status')).toHaveTextContent('Uploading holiday.png');
      });

      await step('Enter on "Cancel" stops the upload; focus is back on "Choose image"', async () => {
        await userEvent.keyboard('{Enter}');
        await expectState(canvasElement, 'idle');
        await expectFocusOn('Choose image');
        await expect(canvas.getByRole('status')).toHaveTextContent('Upload cancelled.');
        await expect(canvas.queryByRole('alert')).not.toBeInTheDocument();
        await expect(args.onError).not.toHaveBeenCalled();
      });

      await step('Focus never fell back to the page', async () => {
        await expect(focus?.entries).not.toContainEqual(expect.objectContaining({ focus: 'body' }));
      });
    } finally {
      picker.stop();
      focus?.stop();
    }
  },
};
