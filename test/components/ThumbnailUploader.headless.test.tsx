import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ThumbnailUploader, UploaderProvider, useThumbnailUploader, type ButtonProps } from '../../src';
import { pngFile } from '../fixtures';
import { startHangingServer } from '../support/faultServer';
import { withReferenceServer, type ReferenceServer } from '../support/referenceServer';
import { dropFiles } from '../support/drop';

let server: ReferenceServer;
let parentUuid: string;

withReferenceServer((started, media) => {
  server = started;
  parentUuid = media;
});

/** A page's own markup on the headless hook, passing its own handlers to the getters. */
function Custom({ baseUrl, choose, cancel }: { baseUrl: string; choose?: ButtonProps; cancel?: ButtonProps }) {
  return (
    <UploaderProvider baseUrl={baseUrl} token={server.token}>
      <Picker choose={choose} cancel={cancel} />
    </UploaderProvider>
  );
}

function Picker({ choose, cancel }: { choose?: ButtonProps; cancel?: ButtonProps }) {
  const uploader = useThumbnailUploader({ parentUuid });
  return (
    <div {...uploader.getRootProps()}>
      <input {...uploader.getInputProps()} />
      {uploader.state === 'uploading' ? (
        <button {...uploader.getCancelButtonProps(cancel)}>Stop</button>
      ) : (
        <button {...uploader.getButtonProps(choose)}>Pick</button>
      )}
      <p {...uploader.getStatusProps()}>{uploader.status}</p>
    </div>
  );
}

describe('useThumbnailUploader prop getters', () => {
  it("run the page's onClick, then ours; the page's preventDefault skips ours", async () => {
    const user = userEvent.setup();
    const onClick = vi.fn();
    const { container, rerender } = render(<Custom baseUrl={server.url} choose={{ onClick }} />);
    const input = container.querySelector('input')!;
    const picker = vi.spyOn(input, 'click');
    await user.click(screen.getByRole('button', { name: 'Pick' }));
    expect(onClick).toHaveBeenCalledTimes(1);
    expect(picker).toHaveBeenCalledTimes(1);

    rerender(<Custom baseUrl={server.url} choose={{ onClick: (event) => event.preventDefault() }} />);
    await user.click(screen.getByRole('button', { name: 'Pick' }));
    expect(picker).toHaveBeenCalledTimes(1);
  });

  it("give the root its role, name, state and Escape; a preventDefault in the page's Cancel handler keeps the upload going", async () => {
    const hanging = await startHangingServer();
    try {
      const user = userEvent.setup();
      const onStop = vi.fn((event: { preventDefault(): void }) => event.preventDefault());
      const { container } = render(<Custom baseUrl={hanging.url} cancel={{ onClick: onStop }} />);
      const root = screen.getByRole('group', { name: 'Thumbnail upload' });
      dropFiles(root, [pngFile('held.png')]);
      await waitFor(() => expect(hanging.counts().started).toBe(1));
      expect(root).toHaveAttribute('data-state', 'uploading');

      // The page's own handler took the click: the upload goes on.
      await user.click(screen.getByRole('button', { name: 'Stop' }));
      expect(onStop).toHaveBeenCalledTimes(1);
      expect(root).toHaveAttribute('data-state', 'uploading');

      fireEvent.keyDown(root, { key: 'Escape' });
      expect(root).toHaveAttribute('data-state', 'idle');
      expect(screen.getByRole('status')).toHaveTextContent('Upload cancelled.');
      await waitFor(() => expect(hanging.counts().closedByClient).toBe(1));
      expect(container.querySelector('input')).toHaveAttribute('aria-hidden', 'true');
    } finally {
      await hanging.close();
    }
  });
});

describe('ThumbnailUploader labels', () => {
  it('shows the error sentence from labels.errors with sizes in the labels’ locale; the error keeps its English message', async () => {
    const onError = vi.fn();
    const { container } = render(
      <UploaderProvider baseUrl={server.url} token={server.token}>
        <ThumbnailUploader
          parentUuid={parentUuid}
          maxSize={1536}
          onError={onError}
          labels={{
            locale: 'fr',
            errors: {
              'too-large': ({ fileName, size, limit, formatBytes }) =>
                `${fileName} pèse ${formatBytes(size ?? 0)} ; la limite est de ${formatBytes(limit ?? 0)}.`,
            },
          }}
        />
      </UploaderProvider>,
    );
    const send = vi.spyOn(XMLHttpRequest.prototype, 'send');
    // A GIF goes as it is, so one over maxSize is refused before any byte is sent.
    const gif = new Uint8Array(3072);
    gif.set(new TextEncoder().encode('GIF89a'));
    dropFiles(container.firstElementChild!, [new File([gif], 'lourd.gif', { type: 'image/gif' })]);
    expect(await screen.findByRole('alert')).toHaveTextContent(/^lourd\.gif pèse 3\sko ; la limite est de 1,5\sko\.$/);
    expect(send).not.toHaveBeenCalled();
    expect(onError).toHaveBeenCalledWith(
      expect.objectContaining({
        kind: 'too-large',
        message: 'Upload failed: file too large, 3 kB over 1.5 kB (lourd.gif).',
        details: expect.objectContaining({ reason: 'file-too-large', size: 3072, limit: 1536 }),
      }),
    );
  });
});
