import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { StrictMode, type ReactNode } from 'react';
import { ThumbnailUploader, UploaderProvider, type ThumbnailResult, type UploaderProviderProps } from '../../src';
import { makePng, md5Of, pngFile } from '../fixtures';
import { startHangingServer } from '../support/faultServer';
import { liveObjectUrls } from '../support/objectUrls';
import { withReferenceServer, type ReferenceServer } from '../support/referenceServer';
import { dropFiles, transferOf } from '../support/drop';

let server: ReferenceServer;
let parentUuid: string;

withReferenceServer((started, media) => {
  server = started;
  parentUuid = media;
});

function renderUploader(widget: ReactNode, provider: Partial<UploaderProviderProps> = {}) {
  const utils = render(
    <UploaderProvider baseUrl={server.url} token={server.token} {...provider}>
      {widget}
    </UploaderProvider>,
  );
  const input = utils.container.querySelector<HTMLInputElement>('input[type="file"]');
  if (!input) throw new Error('the widget has no file input');
  return { ...utils, input, root: utils.container.firstElementChild as HTMLElement };
}

describe('ThumbnailUploader against the reference server', () => {
  it('previews a dropped image, uploads it with the provider token and the parentUuid, and shows the answered file_url', async () => {
    const onUploaded = vi.fn<(result: ThumbnailResult) => void>();
    const { root } = renderUploader(<ThumbnailUploader parentUuid={parentUuid} onUploaded={onUploaded} />);
    expect(root).toHaveAttribute('data-state', 'idle');

    dropFiles(root, [pngFile('holiday.png', 40, 30)]);
    expect(await screen.findByRole('img', { name: 'Preview of holiday.png' })).toHaveAttribute(
      'src',
      expect.stringMatching(/^blob:/),
    );

    const uploaded = await screen.findByRole('img', { name: 'Uploaded thumbnail of holiday.png' });
    await waitFor(() => expect(onUploaded).toHaveBeenCalledTimes(1));
    const result = onUploaded.mock.calls[0]![0];
    expect(result.parent_file_uuid).toBe(parentUuid);
    expect(uploaded).toHaveAttribute('src', result.file_url);
    expect(screen.getByRole('link', { name: 'Uploaded thumbnail of holiday.png' })).toHaveAttribute(
      'href',
      result.file_url,
    );
    expect(root).toHaveAttribute('data-state', 'uploaded');
    expect(screen.getByRole('status')).toHaveTextContent('holiday.png uploaded');

    // The server accepted the provider's token (it answers 401 otherwise) and filed the image under the prop's parent.
    const stored = (await server.thumbnails()).find((record) => record.uuid === result.file_uuid);
    expect(stored).toMatchObject({ parentUuid, size: pngFile('holiday.png', 40, 30).size });
  });

  it('uploads a file chosen with the "Choose image" button', async () => {
    const user = userEvent.setup();
    const onUploaded = vi.fn();
    const { input } = renderUploader(<ThumbnailUploader parentUuid={parentUuid} onUploaded={onUploaded} />);
    const button = screen.getByRole('button', { name: 'Choose image' });
    const click = vi.spyOn(input, 'click');
    await user.click(button);
    expect(click).toHaveBeenCalled();

    await user.upload(input, pngFile('picked.png'));
    await screen.findByRole('img', { name: 'Uploaded thumbnail of picked.png' });
    expect(onUploaded).toHaveBeenCalledTimes(1);
  });

  it('after a 401 asks getToken again and sends once more with the new token, without bothering the person', async () => {
    const tokens = ['expired-token', server.token];
    const getToken = vi.fn(() => tokens.shift() ?? server.token);
    const onError = vi.fn();
    const { root } = renderUploader(<ThumbnailUploader parentUuid={parentUuid} onError={onError} />, {
      token: undefined,
      getToken,
    });

    dropFiles(root, [pngFile('refresh.png')]);
    await screen.findByRole('img', { name: 'Uploaded thumbnail of refresh.png' });
    expect(getToken).toHaveBeenCalledTimes(2);
    expect(onError).not.toHaveBeenCalled();
  });

  it('two widgets refused together share one token refresh', async () => {
    let calls = 0;
    const getToken = vi.fn(async () => {
      calls += 1;
      if (calls <= 2) return 'expired-token'; // each widget's first request
      // The refresh takes a while, as a real one does: the other 401 arrives meanwhile and waits for it.
      await new Promise((resolve) => setTimeout(resolve, 300));
      return server.token;
    });
    const { container } = renderUploader(
      <>
        <ThumbnailUploader parentUuid={parentUuid} />
        <ThumbnailUploader parentUuid={parentUuid} />
      </>,
      { token: undefined, getToken },
    );
    const [first, second] = Array.from(container.querySelectorAll('.rtu'));
    dropFiles(first!, [pngFile('left.png')]);
    dropFiles(second!, [pngFile('right.png')]);
    await screen.findByRole('img', { name: 'Uploaded thumbnail of left.png' });
    await screen.findByRole('img', { name: 'Uploaded thumbnail of right.png' });
    expect(getToken).toHaveBeenCalledTimes(3);
  });

  it('shows the auth alert with a Retry button when the token is refused for good', async () => {
    const onError = vi.fn();
    const { root } = renderUploader(<ThumbnailUploader parentUuid={parentUuid} onError={onError} />, {
      token: 'wrong-token',
    });
    dropFiles(root, [pngFile('denied.png')]);
    expect(await screen.findByRole('alert')).toHaveTextContent('Sign in again');
    expect(root).toHaveAttribute('data-state', 'error');
    expect(screen.getByRole('button', { name: 'Retry' })).toBeEnabled();
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ kind: 'auth', status: 401 }));
  });

  it('shows the server refusal of an unknown parent as an alert', async () => {
    const { root } = renderUploader(<ThumbnailUploader parentUuid="00000000-0000-4000-8000-000000000000" />);
    dropFiles(root, [pngFile()]);
    expect(await screen.findByRole('alert')).toHaveTextContent(/refused/i);
  });

  it('refuses a non-image without sending any request and stays usable', async () => {
    const send = vi.spyOn(XMLHttpRequest.prototype, 'send');
    const onError = vi.fn();
    const { root } = renderUploader(<ThumbnailUploader parentUuid={parentUuid} onError={onError} />);

    dropFiles(root, [new File(['just some notes'], 'notes.txt', { type: 'text/plain' })]);
    expect(await screen.findByRole('alert')).toHaveTextContent('notes.txt is not an image we can use');

    // Named and typed like a PNG, but the bytes are text: caught by its magic bytes.
    dropFiles(root, [new File(['<html>not a picture</html>'], 'fake.png', { type: 'image/png' })]);
    await waitFor(() => expect(screen.getByRole('alert')).toHaveTextContent('fake.png is not an image we can use'));
    expect(onError).toHaveBeenCalledTimes(2);
    expect(onError.mock.calls.map(([error]) => error.kind)).toEqual(['invalid-file', 'invalid-file']);
    expect(screen.queryByRole('button', { name: 'Retry' })).toBeNull();
    expect(send).not.toHaveBeenCalled();

    dropFiles(root, [pngFile('good.png')]);
    await screen.findByRole('img', { name: 'Uploaded thumbnail of good.png' });
  });

  it('takes an image by its bytes, whatever name and type the browser gives it', async () => {
    const onUploaded = vi.fn();
    const { root } = renderUploader(<ThumbnailUploader parentUuid={parentUuid} onUploaded={onUploaded} />);
    const disguised = new File([makePng(6, 4)], 'scan.txt', { type: 'text/plain' });
    dropFiles(root, [disguised]);
    await screen.findByRole('img', { name: 'Uploaded thumbnail of scan.txt' });
    const stored = (await server.thumbnails()).find((record) => record.uuid === onUploaded.mock.calls[0]![0].file_uuid);
    expect(stored).toMatchObject({ type: 'image/png', md5: md5Of(makePng(6, 4)) });
  });

  it('never previews what is not an image', async () => {
    const { root } = renderUploader(<ThumbnailUploader parentUuid={parentUuid} />);
    dropFiles(root, [new File(['%PDF-1.7\n'], 'report.pdf', { type: 'application/pdf' })]);
    expect(await screen.findByRole('alert')).toHaveTextContent('report.pdf is not an image we can use');
    expect(screen.queryByRole('img')).toBeNull();
    expect(root).toHaveAttribute('data-state', 'error');
  });

  it('refuses a file over maxSize before sending it', async () => {
    const send = vi.spyOn(XMLHttpRequest.prototype, 'send');
    const { root } = renderUploader(<ThumbnailUploader parentUuid={parentUuid} maxSize={100} />);
    dropFiles(root, [pngFile('big.png', 64, 64)]);
    expect(await screen.findByRole('alert')).toHaveTextContent(/big\.png is .* the limit is 100 bytes/);
    expect(send).not.toHaveBeenCalled();
  });

  it('uploads a pasted image', async () => {
    const onUploaded = vi.fn();
    const { root } = renderUploader(<ThumbnailUploader parentUuid={parentUuid} onUploaded={onUploaded} />);
    fireEvent.paste(root, { clipboardData: transferOf([pngFile('pasted.png')]) });
    await screen.findByRole('img', { name: 'Uploaded thumbnail of pasted.png' });
    expect(onUploaded).toHaveBeenCalledTimes(1);
  });

  it('takes the first of several dropped files and says why the rest were left', async () => {
    const onUploaded = vi.fn();
    const { root } = renderUploader(<ThumbnailUploader parentUuid={parentUuid} onUploaded={onUploaded} />);
    dropFiles(root, [pngFile('a.png'), pngFile('b.png')]);
    await waitFor(() =>
      expect(screen.getByRole('status')).toHaveTextContent('Only a.png was taken. Drop one image at a time.'),
    );
    await screen.findByRole('img', { name: 'Uploaded thumbnail of a.png' });
    expect(onUploaded).toHaveBeenCalledTimes(1);
    // The note was for the drop; the outcome replaces it.
    expect(screen.getByRole('status')).toHaveTextContent('a.png uploaded');
  });

  it('sends exactly one request per drop under StrictMode', async () => {
    const before = (await server.thumbnails()).length;
    const onUploaded = vi.fn();
    const { root } = renderUploader(
      <StrictMode>
        <ThumbnailUploader parentUuid={parentUuid} onUploaded={onUploaded} />
      </StrictMode>,
    );
    dropFiles(root, [pngFile('strict.png')]);
    await screen.findByRole('img', { name: 'Uploaded thumbnail of strict.png' });
    expect(onUploaded).toHaveBeenCalledTimes(1);
    expect((await server.thumbnails()).length).toBe(before + 1);
  });

  it('revokes every preview URL it created', async () => {
    const { root, unmount } = renderUploader(<ThumbnailUploader parentUuid={parentUuid} autoUpload={false} />);
    dropFiles(root, [pngFile('one.png')]);
    await screen.findByRole('img', { name: 'Preview of one.png' });
    dropFiles(root, [pngFile('two.png')]);
    await screen.findByRole('img', { name: 'Preview of two.png' });
    expect(liveObjectUrls.size).toBe(1);
    unmount();
    expect(liveObjectUrls.size).toBe(0);
  });

  it('waits for the Upload button when autoUpload is off', async () => {
    const user = userEvent.setup();
    const onUploaded = vi.fn();
    const { root } = renderUploader(
      <ThumbnailUploader parentUuid={parentUuid} autoUpload={false} onUploaded={onUploaded} />,
    );
    dropFiles(root, [pngFile('later.png')]);
    await screen.findByRole('img', { name: 'Preview of later.png' });
    expect(root).toHaveAttribute('data-state', 'previewing');
    expect(onUploaded).not.toHaveBeenCalled();
    await user.click(screen.getByRole('button', { name: 'Upload' }));
    await screen.findByRole('img', { name: 'Uploaded thumbnail of later.png' });
    expect(onUploaded).toHaveBeenCalledTimes(1);
  });

  it('does nothing when disabled', async () => {
    const send = vi.spyOn(XMLHttpRequest.prototype, 'send');
    const { root } = renderUploader(<ThumbnailUploader parentUuid={parentUuid} disabled />);
    expect(screen.getByRole('button', { name: 'Choose image' })).toBeDisabled();
    dropFiles(root, [pngFile()]);
    await act(() => new Promise((resolve) => setTimeout(resolve, 50)));
    expect(root).toHaveAttribute('data-state', 'idle');
    expect(send).not.toHaveBeenCalled();
  });

  it('explains what to do when used outside an UploaderProvider', () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    expect(() => render(<ThumbnailUploader parentUuid="x" />)).toThrow(/UploaderProvider/);
  });
});

describe('ThumbnailUploader with a server that never answers', () => {
  it('shows progress and a Cancel button; Cancel aborts the request and returns to idle', async () => {
    const hanging = await startHangingServer();
    try {
      const user = userEvent.setup();
      const onError = vi.fn();
      const onUploaded = vi.fn();
      const { root } = renderUploader(
        <ThumbnailUploader parentUuid={parentUuid} onError={onError} onUploaded={onUploaded} />,
        { baseUrl: hanging.url },
      );
      dropFiles(root, [pngFile('slow.png')]);
      expect(await screen.findByRole('progressbar', { name: 'Uploading slow.png' })).toBeInTheDocument();
      await waitFor(() => expect(hanging.counts().started).toBe(1));

      await user.click(screen.getByRole('button', { name: 'Cancel' }));
      expect(root).toHaveAttribute('data-state', 'idle');
      expect(screen.getByRole('status')).toHaveTextContent('Upload cancelled.');
      expect(screen.queryByRole('progressbar')).toBeNull();
      await waitFor(() => expect(hanging.counts().closedByClient).toBe(1));
      expect(onError).not.toHaveBeenCalled();
      expect(onUploaded).not.toHaveBeenCalled();
      expect(screen.getByRole('button', { name: 'Choose image' })).toBeEnabled();
    } finally {
      await hanging.close();
    }
  });

  it('aborts the request when unmounted mid-upload and calls nothing back', async () => {
    const hanging = await startHangingServer();
    try {
      const onError = vi.fn();
      const { root, unmount } = renderUploader(<ThumbnailUploader parentUuid={parentUuid} onError={onError} />, {
        baseUrl: hanging.url,
      });
      dropFiles(root, [pngFile('leaving.png')]);
      await waitFor(() => expect(hanging.counts().started).toBe(1));
      unmount();
      await waitFor(() => expect(hanging.counts().closedByClient).toBe(1));
      expect(onError).not.toHaveBeenCalled();
    } finally {
      await hanging.close();
    }
  });
});
