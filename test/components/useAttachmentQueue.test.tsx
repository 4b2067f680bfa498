import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  UploaderProvider,
  useAttachmentQueue,
  type AttachmentItem,
  type AttachmentResult,
  type UseAttachmentQueueOptions,
} from '../../src';
import { makePng, pngFile } from '../fixtures';
import { dropFiles } from '../support/drop';
import type { RecordedRequest } from '../support/faultServer';
import { withProxiedReferenceServer } from '../support/proxiedServer';

const reference = withProxiedReferenceServer();
const { proxyToServer } = reference;

/** A composer's own markup on the headless queue: a list of attachments, each with its actions. */
function Composer(options: UseAttachmentQueueOptions) {
  const queue = useAttachmentQueue(options);
  return (
    <div {...queue.getRootProps()}>
      <input {...queue.getInputProps()} />
      <ul aria-label="Attachments">
        {queue.items.map((item) => (
          <li key={item.id} aria-label={item.file.name} data-state={item.state}>
            {item.errorMessage}
            <button onClick={() => queue.retry(item.id)}>Retry {item.file.name}</button>
            <button onClick={() => queue.cancel(item.id)}>Cancel {item.file.name}</button>
            <button onClick={() => queue.remove(item.id)}>Remove {item.file.name}</button>
          </li>
        ))}
      </ul>
      <p role="status">
        {queue.leftOut.length > 0 && `Left out: ${queue.leftOut.map((file) => file.name).join(', ')}`}
      </p>
    </div>
  );
}

function renderComposer(baseUrl: string, options: UseAttachmentQueueOptions = {}) {
  render(
    <UploaderProvider baseUrl={baseUrl} token={reference.server.token}>
      <Composer {...options} />
    </UploaderProvider>,
  );
  return screen.getByRole('group', { name: 'Attachment upload' });
}

const itemState = (name: string) => screen.getByRole('listitem', { name }).dataset.state;
const thumbnailRequests = (requests: RecordedRequest[]) => requests.filter((request) => request.fields.qqparentuuid);
const minutes = () => new File(['%PDF-1.7\n% minutes\n'], 'minutes.pdf', { type: 'application/pdf' });

describe('useAttachmentQueue against the reference server', () => {
  it('uploads 5 files at most 2 at a time, each with its thumbnail, and reports each once, in the order chosen', async () => {
    const proxy = await proxyToServer();
    const onUploaded = vi.fn<(attachment: AttachmentResult) => void>();
    const onChange = vi.fn<(items: AttachmentItem[]) => void>();
    const makeThumbnail = async () => new Blob([makePng(8, 8)], { type: 'image/png' });
    const root = renderComposer(proxy.url, { onUploaded, onChange, makeThumbnail });
    const chosen = [pngFile('a.png'), pngFile('b.png'), minutes(), pngFile('c.png'), pngFile('d.png')];
    dropFiles(root, chosen);

    await waitFor(() => expect(onUploaded).toHaveBeenCalledTimes(5), { timeout: 10_000 });
    expect(proxy.mostInFlight()).toBeLessThanOrEqual(2);
    for (const [{ media, thumbnail }] of onUploaded.mock.calls) {
      expect(thumbnail?.parent_file_uuid).toBe(media.file_uuid);
    }
    expect(thumbnailRequests(proxy.requests())).toHaveLength(5);
    const last = onChange.mock.calls.at(-1)![0];
    expect(last.map((item) => [item.file.name, item.state])).toEqual(chosen.map((file) => [file.name, 'uploaded']));
    expect(last.every((item) => item.result?.thumbnail)).toBe(true);
    expect(root).toHaveAttribute('data-state', 'uploaded');
  });

  it('a 500 that lasts fails that item alone, and Retry sends it again once the server is back', async () => {
    let broken = true;
    const proxy = await proxyToServer({
      answer: (request) =>
        broken && request.fields.qqfilename === 'bad.png'
          ? { status: 500, body: JSON.stringify({ error: 'Disk full' }) }
          : undefined,
    });
    const user = userEvent.setup();
    const onUploaded = vi.fn<(attachment: AttachmentResult) => void>();
    const root = renderComposer(proxy.url, { onUploaded, retry: false });
    dropFiles(root, [pngFile('good.png'), pngFile('bad.png'), pngFile('fine.png')]);

    await waitFor(() => expect(onUploaded).toHaveBeenCalledTimes(2), { timeout: 10_000 });
    expect(itemState('bad.png')).toBe('error');
    expect(within(screen.getByRole('listitem', { name: 'bad.png' })).getByText(/error 500/)).toBeInTheDocument();
    expect([itemState('good.png'), itemState('fine.png')]).toEqual(['uploaded', 'uploaded']);
    expect(root).toHaveAttribute('data-state', 'error');

    broken = false;
    await user.click(screen.getByRole('button', { name: 'Retry bad.png' }));
    await waitFor(() => expect(itemState('bad.png')).toBe('uploaded'), { timeout: 5000 });
    expect(onUploaded).toHaveBeenCalledTimes(3);
  });

  it('Cancel stops one item under way and Remove takes another out; the rest are stored', async () => {
    const proxy = await proxyToServer({ swallowAnswer: (request) => request.fields.qqfilename === 'slow.bin' });
    const user = userEvent.setup();
    const onUploaded = vi.fn<(attachment: AttachmentResult) => void>();
    const root = renderComposer(proxy.url, { onUploaded, concurrency: 1 });
    dropFiles(root, [new File([new Uint8Array(100)], 'slow.bin'), pngFile('kept.png'), pngFile('dropped.png')]);
    await waitFor(() => expect(proxy.swallowed()).toBe(1));
    await user.click(screen.getByRole('button', { name: 'Remove dropped.png' }));
    await user.click(screen.getByRole('button', { name: 'Cancel slow.bin' }));

    await waitFor(() => expect(onUploaded).toHaveBeenCalledTimes(1), { timeout: 5000 });
    expect(screen.getAllByRole('listitem').map((item) => item.getAttribute('aria-label'))).toEqual(['kept.png']);
    expect(proxy.requests().map((request) => request.fields.qqfilename)).not.toContain('dropped.png');
  });

  it('takes 10 of 12 files with maxFiles=10 and names the 2 left out', async () => {
    const proxy = await proxyToServer();
    const root = renderComposer(proxy.url, { maxFiles: 10 });
    dropFiles(
      root,
      Array.from({ length: 12 }, (_, i) => pngFile(`photo-${i + 1}.png`)),
    );
    expect(await screen.findByRole('status')).toHaveTextContent('Left out: photo-11.png, photo-12.png');
    expect(screen.getAllByRole('listitem')).toHaveLength(10);
    await waitFor(() => expect(root).toHaveAttribute('data-state', 'uploaded'), { timeout: 10_000 });
  });
});
