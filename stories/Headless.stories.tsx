import type { Meta, StoryObj } from '@storybook/react-vite';
import { useState } from 'react';
import { expect, fn, userEvent, within } from 'storybook/test';
import { useThumbnailUploader, type UseThumbnailUploaderOptions } from '../src';
import { makeImageFile } from './support/images';
import { expectFocusOn, expectState, fakeFilePicker } from './support/play';
import { STORY_PARENT_UUID, storyUploadApi } from './support/uploadApi';

/**
 * A completely custom look on `useThumbnailUploader()`: no stylesheet and no class of the library,
 * only its state and prop getters. The getters bring the roles, names, keyboard, drop and paste;
 * the page's own handlers run first, and `event.preventDefault()` in one skips the library's.
 */
function AvatarPicker({ onChooseClick, ...options }: UseThumbnailUploaderOptions & { onChooseClick?: () => void }) {
  const uploader = useThumbnailUploader(options);
  const { state, labels } = uploader;
  const [confirmCancel, setConfirmCancel] = useState(false);
  const image = uploader.getImageProps({ style: { inlineSize: '100%', blockSize: '100%', objectFit: 'cover' } });
  const ring = state === 'error' ? '#b42318' : state === 'dragging' ? '#0b6e4f' : '#52606d';
  const button = {
    padding: '0.4rem 0.9rem',
    borderRadius: 999,
    border: '1px solid #1f2933',
    background: '#ffffff',
    color: '#1f2933',
    font: 'inherit',
  } as const;
  return (
    <div
      {...uploader.getRootProps({
        style: {
          display: 'flex',
          alignItems: 'center',
          gap: '1rem',
          padding: '1rem',
          maxInlineSize: '28rem',
          border: `2px solid ${ring}`,
          borderRadius: 16,
          background: '#ffffff',
          color: '#1f2933',
          fontFamily: 'system-ui, sans-serif',
        },
      })}
    >
      <input {...uploader.getInputProps()} />
      <div
        style={{
          inlineSize: 72,
          blockSize: 72,
          flex: 'none',
          borderRadius: '50%',
          overflow: 'hidden',
          background: '#d9e2ec',
        }}
      >
        {image.src && <img {...image} alt={image.alt} />}
      </div>
      <div style={{ display: 'grid', gap: '0.5rem', flex: 1 }}>
        {state === 'uploading' && (
          <progress {...uploader.getProgressProps()} max={100} value={uploader.percent ?? undefined} />
        )}
        {uploader.error && (
          <p {...uploader.getAlertProps({ style: { margin: 0, color: '#b42318' } })}>{uploader.errorMessage}</p>
        )}
        <div style={{ display: 'flex', gap: '0.5rem', flexWrap: 'wrap' }}>
          {state === 'uploading' ? (
            <button
              {...uploader.getCancelButtonProps({
                style: button,
                // The page asks first: the first click only arms the button, so the library's cancel is skipped.
                onClick: (event) => {
                  if (!confirmCancel) {
                    event.preventDefault();
                    setConfirmCancel(true);
                  }
                },
              })}
            >
              {confirmCancel ? 'Really cancel?' : labels.cancel}
            </button>
          ) : (
            <>
              {uploader.canRetry && (
                <button
                  {...uploader.getRetryButtonProps({ style: { ...button, background: '#1f2933', color: '#fff' } })}
                >
                  {labels.retry}
                </button>
              )}
              <button {...uploader.getButtonProps({ style: button, onClick: onChooseClick })}>
                {uploader.file ? 'Change photo' : 'Add a photo'}
              </button>
            </>
          )}
        </div>
        <p {...uploader.getStatusProps({ style: { margin: 0, fontSize: '0.875rem', color: '#3e4c59' } })}>
          {uploader.status}
        </p>
      </div>
    </div>
  );
}

const api = storyUploadApi();

const meta = {
  title: 'ThumbnailUploader/Headless',
  component: AvatarPicker,
  args: { parentUuid: STORY_PARENT_UUID, onUploaded: fn(), onError: fn(), onChooseClick: fn() },
  parameters: { msw: { handlers: { upload: api.handlers } } },
  beforeEach: () => api.reset(),
} satisfies Meta<typeof AvatarPicker>;

export default meta;
type Story = StoryObj<typeof meta>;

/**
 * With the keyboard alone: Tab to "Add a photo", Enter opens the picker (the page's onClick runs
 * too), the upload is held; the page's cancel asks for confirmation first (its preventDefault
 * skips the library's cancel), then the upload goes through and shows the photo.
 */
export const AvatarWithKeyboard: Story = {
  play: async ({ canvasElement, args, step }) => {
    // Every upload is held until the story lets the server answer.
    const held = api.fail({ hang: true, times: Infinity });
    const canvas = within(canvasElement);
    const picker = fakeFilePicker(canvasElement);
    try {
      await step('Tab and Enter open the picker; the page’s own onClick ran as well', async () => {
        if (document.activeElement instanceof HTMLElement) document.activeElement.blur();
        await userEvent.tab();
        await expectFocusOn('Add a photo');
        picker.willChoose(await makeImageFile('me.png', { hue: 20, width: 240, height: 240 }));
        await userEvent.keyboard('{Enter}');
        await expect(picker.opened).toBe(1);
        await expect(args.onChooseClick).toHaveBeenCalledTimes(1);
        await expectState(canvasElement, 'uploading');
        await expect(canvas.getByRole('progressbar', { name: 'Uploading me.png' })).toBeInTheDocument();
      });

      await step('The first Enter on Cancel only asks; the upload goes on', async () => {
        await expectFocusOn('Cancel');
        await userEvent.keyboard('{Enter}');
        await expectState(canvasElement, 'uploading');
        await expect(canvas.getByRole('button', { name: 'Really cancel?' })).toBeInTheDocument();
      });

      await step('The server answers: the photo is shown from its file_url, focus stays in the widget', async () => {
        held.release();
        await canvas.findByRole('img', { name: 'Uploaded thumbnail of me.png' });
        await expectState(canvasElement, 'uploaded');
        await expectFocusOn('Change photo');
        await expect(canvas.getByRole('status')).toHaveTextContent('me.png uploaded');
        await expect(args.onUploaded).toHaveBeenCalledTimes(1);
      });
    } finally {
      picker.stop();
    }
  },
};
