import { randomBytes } from 'node:crypto';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { ReactNode } from 'react';
import {
  AttachmentUploader,
  UploaderProvider,
  useAttachmentUpload,
  type AttachmentItem,
  type AttachmentResult,
  type UseAttachmentUploadOptions,
} from '../../src';
import { makePng, pngFile } from '../fixtures';
import type { RecordedRequest } from '../support/faultServer';
import { withProxiedReferenceServer } from '../support/proxiedServer';
import { dropFiles, transferOf } from '../support/drop';

const CHUNK = 64 * 1024;

/** A test of several files against a real server: beyond the default 5 s on a busy 2-core machine. A patience, not a timing. */
const MANY_FILES_MS = 20_000;

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

/** The list item of a file, found by the name it shows. */
const itemOf = (name: string) =>
  screen.getAllByRole('listitem').find((item) => within(item).queryByText(name, { exact: true }))!;
const stateOf = (name: string) => itemOf(name).dataset.state;
const shownNames = () =>
  screen.getAllByRole('listitem').map((item) => item.querySelector('.rtu__details > :first-child')?.textContent);

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
const pdf = (name = 'report.pdf') => new File(['%PDF-1.7\n% a report\n'], name, { type: 'application/pdf' });

/**
 * A page's own markup on the single-file headless hook, with its own Pause offered for the whole
 * upload: a click on it stands for one on a Pause that lands just as the media is stored, before
 * the button goes. It links the media once stored.
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
  it(
    'uploads 5 files at most 2 at a time, each with its thumbnail; one onUploaded each, onChange in the order chosen',
    async () => {
      const proxy = await proxyToServer();
      const onUploaded = vi.fn<(attachment: AttachmentResult) => void>();
      const onChange = vi.fn<(items: AttachmentItem[]) => void>();
      const makeThumbnail = async () => new Blob([makePng(8, 8)], { type: 'image/png' });
      const { root } = renderAt(
        proxy.url,
        <AttachmentUploader onUploaded={onUploaded} onChange={onChange} makeThumbnail={makeThumbnail} />,
      );
      const chosen = [pngFile('a.png', 30, 20), pngFile('b.png'), pdf(), pngFile('c.png'), pngFile('d.png')];
      dropFiles(root, chosen);
      await waitFor(() => expect(shownNames()).toEqual(chosen.map((file) => file.name)));
      expect(root).toHaveAttribute('data-state', 'uploading');

      await waitFor(() => expect(onUploaded).toHaveBeenCalledTimes(5), { timeout: 10_000 });
      expect(proxy.mostInFlight()).toBeLessThanOrEqual(2);
      for (const [{ media, thumbnail }] of onUploaded.mock.calls) {
        expect(thumbnail?.parent_file_uuid).toBe(media.file_uuid);
        expect(await reference.server.record(thumbnail!.file_uuid)).toMatchObject({ parentUuid: media.file_uuid });
      }
      const last = onChange.mock.calls.at(-1)![0];
      expect(last.map((item) => [item.file.name, item.state])).toEqual(chosen.map((file) => [file.name, 'uploaded']));
      expect(root).toHaveAttribute('data-state', 'uploaded');
      expect(screen.getByRole('status')).toHaveTextContent('5 of 5 uploaded');
      // Each stored file is linked; each preview is the small thumbnail made for it.
      const stored = onUploaded.mock.calls.map(([{ media }]) => new URL(media.file_url, proxy.url).href);
      const link = within(itemOf('a.png')).getByRole('link', { name: 'a.png' });
      expect(stored).toContain(link.getAttribute('href'));
      expect(within(itemOf('report.pdf')).getByRole('img', { name: 'Preview of report.pdf' })).toHaveAttribute(
        'src',
        expect.stringMatching(/^blob:/),
      );
    },
    MANY_FILES_MS,
  );

  it(
    'a 500 that lasts fails that item alone, shown as its alert; Retry sends it again once the server is back',
    async () => {
      let broken = true;
      const proxy = await proxyToServer({
        answer: (request) => (broken && request.fields.qqfilename === 'bad.png' ? serverError : undefined),
      });
      const user = userEvent.setup();
      const onUploaded = vi.fn<(attachment: AttachmentResult) => void>();
      const { root } = renderAt(proxy.url, <AttachmentUploader onUploaded={onUploaded} retry={false} />);
      dropFiles(root, [pngFile('good.png'), pngFile('bad.png'), pngFile('fine.png')]);

      await waitFor(() => expect(onUploaded).toHaveBeenCalledTimes(2), { timeout: 10_000 });
      await waitFor(() => expect(stateOf('bad.png')).toBe('error'));
      expect(within(itemOf('bad.png')).getByRole('alert')).toHaveTextContent(
        'The server failed to store the file (error 500). Retry in a moment.',
      );
      expect(screen.getAllByRole('alert')).toHaveLength(1);
      expect([stateOf('good.png'), stateOf('fine.png')]).toEqual(['uploaded', 'uploaded']);
      expect(root).toHaveAttribute('data-state', 'error');
      expect(screen.getByRole('status')).toHaveTextContent('2 of 3 uploaded');

      broken = false;
      await user.click(screen.getByRole('button', { name: 'Retry bad.png' }));
      await waitFor(() => expect(stateOf('bad.png')).toBe('uploaded'), { timeout: 5000 });
      expect(onUploaded).toHaveBeenCalledTimes(3);
      expect(root).toHaveAttribute('data-state', 'uploaded');
    },
    MANY_FILES_MS,
  );

  it('Cancel stops one item under way, Remove takes another out, and focus moves to the item after it', async () => {
    const proxy = await proxyToServer({ swallowAnswer: (request) => request.fields.qqfilename === 'slow.bin' });
    const user = userEvent.setup();
    const onUploaded = vi.fn<(attachment: AttachmentResult) => void>();
    const { root } = renderAt(proxy.url, <AttachmentUploader onUploaded={onUploaded} concurrency={1} />);
    dropFiles(root, [new File([new Uint8Array(100)], 'slow.bin'), pngFile('dropped.png'), pngFile('kept.png')]);
    await waitFor(() => expect(proxy.swallowed()).toBe(1));
    expect(within(itemOf('dropped.png')).getByText('Waiting to upload')).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Cancel dropped.png' }));
    expect(screen.getByRole('button', { name: 'Cancel kept.png' })).toHaveFocus();
    await user.click(screen.getByRole('button', { name: 'Cancel slow.bin' }));
    // The first item went: focus goes to the one now in its place.
    expect(screen.getByRole('button', { name: /kept\.png$/ })).toHaveFocus();

    await waitFor(() => expect(onUploaded).toHaveBeenCalledTimes(1), { timeout: 5000 });
    expect(shownNames()).toEqual(['kept.png']);
    expect(proxy.requests().map((request) => request.fields.qqfilename)).not.toContain('dropped.png');
    // The last item removed: focus goes back to the Choose button.
    (await screen.findByRole('button', { name: 'Remove kept.png' })).focus();
    await user.keyboard('{Enter}');
    expect(screen.queryByRole('list')).toBeNull();
    expect(screen.getByRole('button', { name: 'Choose files' })).toHaveFocus();
    expect(root).toHaveAttribute('data-state', 'idle');
  });

  it(
    'takes 10 of 12 files with maxFiles=10, names the 2 left out, and stays usable',
    async () => {
      const proxy = await proxyToServer();
      const { root } = renderAt(proxy.url, <AttachmentUploader maxFiles={10} />);
      dropFiles(
        root,
        Array.from({ length: 12 }, (_, i) => pngFile(`photo-${i + 1}.png`)),
      );
      await waitFor(() =>
        expect(screen.getByRole('status')).toHaveTextContent(
          'photo-11.png, photo-12.png were left out: at most 10 files per message.',
        ),
      );
      expect(screen.getAllByRole('listitem')).toHaveLength(10);
      await waitFor(() => expect(root).toHaveAttribute('data-state', 'uploaded'), { timeout: 15_000 });
      expect(screen.getByRole('status')).toHaveTextContent('10 of 10 uploaded');
    },
    MANY_FILES_MS,
  );

  it('a paste adds its files after those already in the list, while they upload', async () => {
    const proxy = await proxyToServer({ swallowAnswer: (request) => request.fields.qqfilename === 'first.bin' });
    const onUploaded = vi.fn<(attachment: AttachmentResult) => void>();
    const { root } = renderAt(proxy.url, <AttachmentUploader onUploaded={onUploaded} />);
    dropFiles(root, [new File([new Uint8Array(100)], 'first.bin')]);
    await waitFor(() => expect(proxy.swallowed()).toBe(1));
    fireEvent.paste(root, { clipboardData: transferOf([pngFile('pasted.png'), pngFile('clip.png')]) });
    await waitFor(() => expect(onUploaded).toHaveBeenCalledTimes(2));
    expect(shownNames()).toEqual(['first.bin', 'pasted.png', 'clip.png']);
    expect(stateOf('first.bin')).toBe('uploading');
  });

  it('with thumbnail={false} sends the media alone, and asks no makeThumbnail', async () => {
    const proxy = await proxyToServer();
    const onUploaded = vi.fn<(attachment: AttachmentResult) => void>();
    const makeThumbnail = vi.fn(async () => new Blob([makePng(8, 8)], { type: 'image/png' }));
    const { root } = renderAt(
      proxy.url,
      <AttachmentUploader thumbnail={false} makeThumbnail={makeThumbnail} onUploaded={onUploaded} />,
    );
    dropFiles(root, [pngFile('plain.png', 40, 30), pdf()]);
    await waitFor(() => expect(onUploaded).toHaveBeenCalledTimes(2));
    expect(calls(proxy.requests())).toEqual(['media', 'media']);
    expect(onUploaded.mock.calls.map(([attachment]) => attachment.thumbnail)).toEqual([undefined, undefined]);
    expect(makeThumbnail).not.toHaveBeenCalled();
    expect(screen.queryByRole('img')).toBeNull();
  });

  it('with maxFiles={1} is one attachment, worded for one file', async () => {
    const proxy = await proxyToServer();
    const { root } = renderAt(proxy.url, <AttachmentUploader maxFiles={1} />);
    expect(screen.getByRole('button', { name: 'Choose file' })).toBeEnabled();
    dropFiles(root, [pngFile('one.png'), pngFile('two.png')]);
    await waitFor(() => expect(shownNames()).toEqual(['one.png']));
    expect(screen.getByRole('status')).toHaveTextContent('two.png was left out: at most 1 file per message.');
  });

  it('a refused file is an item with its own alert and no Retry; the files beside it are sent', async () => {
    const proxy = await proxyToServer();
    const onUploaded = vi.fn<(result: AttachmentResult) => void>();
    const { root } = renderAt(proxy.url, <AttachmentUploader onUploaded={onUploaded} maxSize={1000} />);
    dropFiles(root, [
      pngFile('first.png', 4, 4),
      new File([], 'empty.txt'),
      new File([new Uint8Array(2000)], 'big.bin'),
    ]);
    await waitFor(() => expect(onUploaded).toHaveBeenCalledTimes(1));

    expect(within(itemOf('empty.txt')).getByRole('alert')).toHaveTextContent(
      /^This file is empty\. Choose a file that has content\.$/,
    );
    expect(within(itemOf('big.bin')).getByRole('alert')).toHaveTextContent(
      /^big\.bin is 2 kB; the limit is 1,000 bytes\./,
    );
    expect(screen.queryByRole('button', { name: /^Retry/ })).toBeNull();
    expect(screen.getByRole('button', { name: 'Remove big.bin' })).toBeEnabled();
    expect(calls(proxy.requests())).toEqual(['media', 'thumbnail']);
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

    await user.click(screen.getByRole('button', { name: 'Retry kept.png' }));
    await waitFor(() => expect(stateOf('kept.png')).toBe('uploaded'));
    expect(calls(proxy.requests())).toEqual(['media', 'thumbnail', 'thumbnail']);
    expect(proxy.requests()[2]!.fields.qqparentuuid).toBe(mediaUuid);
    expect(onUploaded).toHaveBeenCalledTimes(1);
    expect(onUploaded.mock.calls[0]![0]).toMatchObject({
      media: { file_uuid: mediaUuid },
      thumbnail: { parent_file_uuid: mediaUuid },
    });
  });

  it('pauses a chunked item and resumes it from the next part; focus stays on its button', async () => {
    const { proxy, user, onUploaded, bytes, root } = await startChunkedUploadHeldAtPart1();
    expect(root).toHaveAttribute('data-state', 'uploading');
    await user.click(screen.getByRole('button', { name: 'Pause recording.bin' }));
    expect(root).toHaveAttribute('data-state', 'paused');
    expect(within(itemOf('recording.bin')).getByText('Upload of recording.bin paused')).toBeInTheDocument();
    expect(screen.queryByRole('alert')).toBeNull();
    const resume = screen.getByRole('button', { name: 'Resume recording.bin' });
    expect(resume).toHaveFocus();
    expect(screen.getByRole('button', { name: 'Cancel recording.bin' })).toBeEnabled();

    // Another file dropped meanwhile is added beside it and sent; the paused one waits.
    dropFiles(root, [pngFile('other.png')]);
    await waitFor(() => expect(stateOf('other.png')).toBe('uploaded'));
    expect(stateOf('recording.bin')).toBe('paused');

    await user.click(resume);
    await waitFor(() => expect(onUploaded).toHaveBeenCalledTimes(2));
    const parts = calls(proxy.requests()).filter((call) => call.startsWith('part') || call === 'done');
    expect(parts).toEqual(['part 0', 'part 1', 'part 1', 'part 2', 'part 3', 'done']);
    const recording = onUploaded.mock.calls.map(([result]) => result).find((result) => !result.thumbnail)!;
    expect(Buffer.compare(await reference.server.storedBytes(recording.media.file_uuid), bytes)).toBe(0);
    expect(root).toHaveAttribute('data-state', 'uploaded');
  });

  it('offers no Pause for a file sent in one request', async () => {
    const proxy = await proxyToServer({ swallowAnswer: () => true });
    const { root } = renderAt(proxy.url, <AttachmentUploader chunkSize={CHUNK} />);
    dropFiles(root, [new File([new Uint8Array(CHUNK / 2).fill(7)], 'small.bin')]);
    await waitFor(() => expect(proxy.swallowed()).toBe(1));
    expect(root).toHaveAttribute('data-state', 'uploading');
    expect(screen.getByRole('button', { name: 'Cancel small.bin' })).toBeEnabled();
    expect(screen.queryByRole('button', { name: /^Pause/ })).toBeNull();
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

  it('useAttachmentUpload: a pause that lands as the media is stored pauses it; Resume reports the upload once', async () => {
    const proxy = await proxyToServer();
    const user = userEvent.setup();
    const onUploaded = vi.fn<(result: AttachmentResult) => void>();
    // The app's thumbnail is still being made once the media is stored, and turns out to be none.
    let noThumbnail!: () => void;
    const makeThumbnail = () => new Promise<undefined>((resolve) => (noThumbnail = () => resolve(undefined)));
    const { root } = renderAt(proxy.url, <PausablePage onUploaded={onUploaded} makeThumbnail={makeThumbnail} />);
    dropFiles(root, [pdf('minutes.pdf')]);
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
});
