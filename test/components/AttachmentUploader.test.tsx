import { randomBytes } from 'node:crypto';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { ReactNode } from 'react';
import {
  AttachmentUploader,
  UploaderProvider,
  useAttachmentUpload,
  type AttachmentResult,
  type UseAttachmentUploadOptions,
} from '../../src';
import { makePng, pngFile } from '../fixtures';
import type { RecordedRequest } from '../support/faultServer';
import { withProxiedReferenceServer } from '../support/proxiedServer';
import { dropFiles } from '../support/drop';

const CHUNK = 64 * 1024;

const reference = withProxiedReferenceServer();
const { proxyToServer } = reference;

function renderAt(baseUrl: string, widget: ReactNode) {
  const utils = render(
    <UploaderProvider baseUrl={baseUrl} token={reference.server.token}>
      {widget}
    </UploaderProvider>,
  );
  return { ...utils, root: screen.getByRole('group', { name: 'Attachment upload' }) };
}

/**
 * A file of 4 parts dropped on the widget, whose part 1 reaches the server but whose answer never
 * comes back: the upload is under way, waiting, when the test presses Pause.
 */
async function startChunkedUploadHeldAtPart1() {
  let held = false;
  const proxy = await proxyToServer({
    swallowAnswer: (request) => request.fields.qqpartindex === '1' && !held && (held = true),
  });
  const user = userEvent.setup();
  const onUploaded = vi.fn<(result: AttachmentResult) => void>();
  const bytes = new Uint8Array(randomBytes(3 * CHUNK + 100));
  const { root } = renderAt(proxy.url, <AttachmentUploader onUploaded={onUploaded} chunkSize={CHUNK} retry={false} />);
  dropFiles(root, [new File([bytes], 'recording.bin', { type: 'application/octet-stream' })]);
  await waitFor(() => expect(proxy.swallowed()).toBe(1));
  return { proxy, user, onUploaded, bytes, root };
}

/** Which call each request was: media, part n, done or thumbnail. */
const calls = (requests: RecordedRequest[]) =>
  requests.map((request) =>
    request.url.endsWith('?done')
      ? 'done'
      : request.fields.qqparentuuid
        ? 'thumbnail'
        : request.fields.qqpartindex !== undefined
          ? `part ${request.fields.qqpartindex}`
          : 'media',
  );

const serverError = { status: 500, body: JSON.stringify({ error: 'Disk full' }) };

/**
 * A page's own markup on the headless hook, with its own Pause offered for the whole upload: a click
 * on it stands for one on the widget's Pause that lands just as the media is stored, before the
 * button goes. It links the media once stored.
 */
function PausablePage(options: UseAttachmentUploadOptions) {
  const uploader = useAttachmentUpload(options);
  return (
    <div {...uploader.getRootProps()}>
      <input {...uploader.getInputProps()} />
      {uploader.media && <a href={uploader.media.file_url}>Stored file</a>}
      {uploader.state === 'uploading' && <button {...uploader.getPauseButtonProps()}>Pause</button>}
      {uploader.canResume && <button {...uploader.getResumeButtonProps()}>Resume</button>}
      <p {...uploader.getStatusProps()}>{uploader.status}</p>
    </div>
  );
}

describe('AttachmentUploader against the reference server', () => {
  it('uploads an image as the media, then its thumbnail with qqparentuuid = the media’s uuid; one result', async () => {
    const proxy = await proxyToServer();
    const onUploaded = vi.fn<(result: AttachmentResult) => void>();
    const { root } = renderAt(proxy.url, <AttachmentUploader onUploaded={onUploaded} />);
    dropFiles(root, [pngFile('beach.png', 40, 30)]);

    const image = await screen.findByRole('img', { name: 'Thumbnail of beach.png' });
    await waitFor(() => expect(onUploaded).toHaveBeenCalledTimes(1));
    const { media, thumbnail } = onUploaded.mock.calls[0]![0];
    expect(calls(proxy.requests())).toEqual(['media', 'thumbnail']);
    expect(proxy.requests()[1]!.fields.qqparentuuid).toBe(media.file_uuid);
    expect(thumbnail?.parent_file_uuid).toBe(media.file_uuid);
    expect(image).toHaveAttribute('src', thumbnail?.file_url);
    expect(screen.getByRole('link', { name: 'Thumbnail of beach.png' })).toHaveAttribute('href', media.file_url);
    expect(root).toHaveAttribute('data-state', 'uploaded');
    expect(screen.getByRole('status')).toHaveTextContent('beach.png uploaded');
    expect(await reference.server.record(media.file_uuid)).toMatchObject({ kind: 'media' });
    expect(await reference.server.record(thumbnail!.file_uuid)).toMatchObject({
      kind: 'thumbnail',
      parentUuid: media.file_uuid,
    });
  });

  it('uploads a PDF with no thumbnail, or with the one the app makes', async () => {
    const proxy = await proxyToServer();
    const onUploaded = vi.fn<(result: AttachmentResult) => void>();
    const pdf = () => new File(['%PDF-1.7\n% a report\n'], 'report.pdf', { type: 'application/pdf' });
    const { root, unmount } = renderAt(proxy.url, <AttachmentUploader onUploaded={onUploaded} />);
    dropFiles(root, [pdf()]);
    await waitFor(() => expect(onUploaded).toHaveBeenCalledTimes(1));
    expect(onUploaded.mock.calls[0]![0].thumbnail).toBeUndefined();
    expect(calls(proxy.requests())).toEqual(['media']);
    // Nothing to preview: the file is named, and linked once stored.
    expect(screen.getByRole('link', { name: /report\.pdf/ })).toHaveAttribute(
      'href',
      onUploaded.mock.calls[0]![0].media.file_url,
    );
    expect(screen.queryByRole('img')).toBeNull();
    unmount();

    const makeThumbnail = vi.fn(async () => new Blob([makePng(8, 10)], { type: 'image/png' }));
    const again = renderAt(proxy.url, <AttachmentUploader onUploaded={onUploaded} makeThumbnail={makeThumbnail} />);
    dropFiles(again.root, [pdf()]);
    await screen.findByRole('img', { name: 'Thumbnail of report.pdf' });
    expect(makeThumbnail).toHaveBeenCalledTimes(1);
    const { media, thumbnail } = onUploaded.mock.calls[1]![0];
    expect(calls(proxy.requests())).toEqual(['media', 'media', 'thumbnail']);
    expect(proxy.requests()[2]!.fields).toMatchObject({
      qqparentuuid: media.file_uuid,
      qqfilename: 'report-thumbnail.png',
    });
    expect(thumbnail?.parent_file_uuid).toBe(media.file_uuid);
  });

  it('keeps the media when the thumbnail fails; Retry sends the thumbnail alone', async () => {
    let thumbnailTries = 0;
    const proxy = await proxyToServer({
      answer: (request) => (request.fields.qqparentuuid && ++thumbnailTries === 1 ? serverError : undefined),
    });
    const user = userEvent.setup();
    const onUploaded = vi.fn<(result: AttachmentResult) => void>();
    const onError = vi.fn();
    const { root } = renderAt(
      proxy.url,
      <AttachmentUploader onUploaded={onUploaded} onError={onError} retry={false} />,
    );
    dropFiles(root, [pngFile('kept.png', 20, 20)]);

    expect(await screen.findByRole('alert')).toHaveTextContent(
      'The file was uploaded, but not its thumbnail. The server failed to store the file (error 500). Retry in a moment.',
    );
    expect(root).toHaveAttribute('data-state', 'error');
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ kind: 'server', status: 500 }));
    expect(calls(proxy.requests())).toEqual(['media', 'thumbnail']);
    const mediaUuid = proxy.requests()[1]!.fields.qqparentuuid;

    await user.click(screen.getByRole('button', { name: 'Retry' }));
    await screen.findByRole('img', { name: 'Thumbnail of kept.png' });
    expect(calls(proxy.requests())).toEqual(['media', 'thumbnail', 'thumbnail']);
    expect(proxy.requests()[2]!.fields.qqparentuuid).toBe(mediaUuid);
    expect(onUploaded).toHaveBeenCalledTimes(1);
    expect(onUploaded.mock.calls[0]![0]).toMatchObject({
      media: { file_uuid: mediaUuid },
      thumbnail: { parent_file_uuid: mediaUuid },
    });
  });

  it('pauses a chunked upload and resumes it from the next part, without sending the finished parts again', async () => {
    const { proxy, user, onUploaded, bytes, root } = await startChunkedUploadHeldAtPart1();
    expect(root).toHaveAttribute('data-state', 'uploading');
    await user.click(screen.getByRole('button', { name: 'Pause' }));
    expect(root).toHaveAttribute('data-state', 'paused');
    expect(screen.getByRole('status')).toHaveTextContent('Upload of recording.bin paused');
    expect(screen.queryByRole('alert')).toBeNull();
    const resume = screen.getByRole('button', { name: 'Resume' });
    expect(screen.getByRole('button', { name: 'Cancel' })).toBeEnabled();

    await user.click(resume);
    await waitFor(() => expect(onUploaded).toHaveBeenCalledTimes(1));
    expect(calls(proxy.requests())).toEqual(['part 0', 'part 1', 'part 1', 'part 2', 'part 3', 'done']);
    const { media, thumbnail } = onUploaded.mock.calls[0]![0];
    expect(thumbnail).toBeUndefined();
    const stored = await reference.server.storedBytes(media.file_uuid);
    expect(Buffer.compare(stored, bytes)).toBe(0);
    expect(root).toHaveAttribute('data-state', 'uploaded');
  });

  it('keeps a paused upload when another file is dropped, says to cancel it first, and resumes it', async () => {
    const { proxy, user, onUploaded, bytes, root } = await startChunkedUploadHeldAtPart1();
    await user.click(screen.getByRole('button', { name: 'Pause' }));

    dropFiles(root, [pngFile('other.png')]);
    await waitFor(() =>
      expect(screen.getByRole('status')).toHaveTextContent('Cancel the current upload before choosing another file.'),
    );
    expect(root).toHaveAttribute('data-state', 'paused');
    expect(screen.queryByRole('img')).toBeNull();

    await user.click(screen.getByRole('button', { name: 'Resume' }));
    await waitFor(() => expect(onUploaded).toHaveBeenCalledTimes(1));
    expect(screen.getByRole('status')).toHaveTextContent('recording.bin uploaded');
    expect(calls(proxy.requests())).toEqual(['part 0', 'part 1', 'part 1', 'part 2', 'part 3', 'done']);
    const stored = await reference.server.storedBytes(onUploaded.mock.calls[0]![0].media.file_uuid);
    expect(Buffer.compare(stored, bytes)).toBe(0);
  });

  it('a pause that lands as the media is stored pauses it; Resume reports the upload once', async () => {
    const proxy = await proxyToServer();
    const user = userEvent.setup();
    const onUploaded = vi.fn<(result: AttachmentResult) => void>();
    // The app's thumbnail is still being made once the media is stored, and turns out to be none.
    let noThumbnail!: () => void;
    const makeThumbnail = () => new Promise<undefined>((resolve) => (noThumbnail = () => resolve(undefined)));
    const { root } = renderAt(proxy.url, <PausablePage onUploaded={onUploaded} makeThumbnail={makeThumbnail} />);
    dropFiles(root, [new File(['%PDF-1.7\n% minutes\n'], 'minutes.pdf', { type: 'application/pdf' })]);
    await screen.findByRole('link', { name: 'Stored file' });

    await user.click(screen.getByRole('button', { name: 'Pause' }));
    noThumbnail();
    await screen.findByRole('button', { name: 'Resume' });
    expect(screen.getByRole('status')).toHaveTextContent('Upload of minutes.pdf paused');
    expect(onUploaded).not.toHaveBeenCalled();

    await user.click(screen.getByRole('button', { name: 'Resume' }));
    await waitFor(() => expect(screen.getByRole('status')).toHaveTextContent('minutes.pdf uploaded'));
    expect(root).toHaveAttribute('data-state', 'uploaded');
    expect(screen.queryByRole('button', { name: 'Resume' })).toBeNull();
    expect(onUploaded).toHaveBeenCalledTimes(1);
    expect(calls(proxy.requests())).toEqual(['media']);
  });

  it('after an attachment is stored, a refused file shows its own refusal, not a failed thumbnail', async () => {
    const proxy = await proxyToServer();
    const onUploaded = vi.fn<(result: AttachmentResult) => void>();
    const { root } = renderAt(proxy.url, <AttachmentUploader onUploaded={onUploaded} maxSize={1000} />);
    dropFiles(root, [pngFile('first.png', 4, 4)]);
    await waitFor(() => expect(onUploaded).toHaveBeenCalledTimes(1));

    dropFiles(root, [new File([], 'empty.txt')]);
    expect(await screen.findByRole('alert')).toHaveTextContent(
      /^This file is empty\. Choose a file that has content\.$/,
    );
    dropFiles(root, [new File([new Uint8Array(2000)], 'big.bin')]);
    await waitFor(() =>
      expect(screen.getByRole('alert')).toHaveTextContent(/^big\.bin is 2 kB; the limit is 1,000 bytes\./),
    );
    expect(screen.queryByRole('button', { name: 'Retry' })).toBeNull();
    expect(calls(proxy.requests())).toEqual(['media', 'thumbnail']);
  });

  it('offers no Pause for a file sent in one request', async () => {
    const proxy = await proxyToServer({ swallowAnswer: () => true });
    const { root } = renderAt(proxy.url, <AttachmentUploader chunkSize={CHUNK} />);
    dropFiles(root, [new File([new Uint8Array(CHUNK / 2).fill(7)], 'small.bin')]);
    await waitFor(() => expect(proxy.swallowed()).toBe(1));
    expect(root).toHaveAttribute('data-state', 'uploading');
    expect(screen.getByRole('button', { name: 'Cancel' })).toBeEnabled();
    expect(screen.queryByRole('button', { name: 'Pause' })).toBeNull();
    fireEvent.keyDown(root, { key: 'Escape' });
    expect(root).toHaveAttribute('data-state', 'idle');
  });

  it('sends a video this browser cannot play after a short wait for its length, without qqduration', async () => {
    // jsdom's <video> neither loads nor fails: the frame (and the length) never come.
    const proxy = await proxyToServer();
    const { root, unmount } = renderAt(proxy.url, <AttachmentUploader />);
    dropFiles(root, [new File([randomBytes(2048)], 'clip.webm', { type: 'video/webm' })]);
    await waitFor(() => expect(calls(proxy.requests())).toEqual(['media']));
    expect(proxy.requests()[0]!.fields).not.toHaveProperty('qqduration');
    unmount();
  });
});
