import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  UploaderProvider,
  useAttachmentQueue,
  type AttachmentItem,
  type AttachmentResult,
  type UploaderProviderProps,
  type UseAttachmentQueueOptions,
} from '../../src';
import { makePng, pngFile } from '../fixtures';
import { dropFiles } from '../support/drop';
import { withProxiedReferenceServer } from '../support/proxiedServer';

/** A test of several files against a real server: beyond the default 5 s on a busy 2-core machine. A patience, not a timing. */
const MANY_FILES_MS = 20_000;

const reference = withProxiedReferenceServer();
const { proxyToServer } = reference;

/**
 * An app's composer on the headless queue, with markup of its own: the queue's getters, a list of
 * attachments with their actions, and a Send button enabled once every attachment is stored.
 */
function Composer({ onSend, ...options }: UseAttachmentQueueOptions & { onSend: (items: AttachmentItem[]) => void }) {
  const queue = useAttachmentQueue(options);
  const ready = queue.items.length > 0 && queue.items.every((item) => item.state === 'uploaded');
  return (
    <div {...queue.getRootProps()}>
      <input {...queue.getInputProps()} />
      <ul {...queue.getListProps()}>
        {queue.items.map((item) => (
          <li key={item.id} {...queue.getItemProps(item)}>
            {item.previewUrl && <img {...queue.getItemImageProps(item)} alt={item.name} />}
            <span>{item.name}</span>
            {item.error && <span {...queue.getItemAlertProps(item)}>{item.errorMessage}</span>}
            <button {...queue.getItemButtonProps(item, 'remove')}>×</button>
          </li>
        ))}
      </ul>
      <button {...queue.getButtonProps()}>Attach</button>
      <button
        type="button"
        disabled={!ready}
        onClick={() => {
          onSend(queue.items);
          queue.clear();
        }}
      >
        Send
      </button>
      <p {...queue.getStatusProps()}>{queue.status}</p>
    </div>
  );
}

function renderComposer(
  options: UseAttachmentQueueOptions & { onSend?: (items: AttachmentItem[]) => void },
  provider: UploaderProviderProps,
) {
  render(
    <UploaderProvider {...provider}>
      <Composer onSend={() => undefined} {...options} />
    </UploaderProvider>,
  );
  return screen.getByRole('group', { name: 'Attachment upload' });
}

describe('useAttachmentQueue in an app’s own composer, against the reference server', () => {
  it(
    'gives the list in the order chosen; Send gets every stored attachment, and clear() empties the list',
    async () => {
      const proxy = await proxyToServer();
      const user = userEvent.setup();
      const onChange = vi.fn<(items: AttachmentItem[]) => void>();
      const onSend = vi.fn<(items: AttachmentItem[]) => void>();
      const makeThumbnail = async () => new Blob([makePng(8, 8)], { type: 'image/png' });
      const root = renderComposer(
        { onChange, onSend, makeThumbnail },
        { baseUrl: proxy.url, token: reference.server.token },
      );
      const chosen = [pngFile('a.png'), new File(['%PDF-1.7\n'], 'minutes.pdf', { type: 'application/pdf' })];
      dropFiles(root, chosen);
      await screen.findByRole('list', { name: 'Attachments' });
      expect(screen.getByRole('button', { name: 'Send' })).toBeDisabled();

      await waitFor(() => expect(screen.getByRole('button', { name: 'Send' })).toBeEnabled(), { timeout: 10_000 });
      expect(screen.getByRole('status')).toHaveTextContent('2 of 2 uploaded');
      expect(screen.getAllByRole('img').map((image) => image.getAttribute('src'))).toEqual([
        expect.stringMatching(/^blob:/),
        expect.stringMatching(/^blob:/),
      ]);
      await user.click(screen.getByRole('button', { name: 'Send' }));
      const sent = onSend.mock.calls[0]![0];
      // The platform sends one message per uploaded file: each carries its media's file_uuid.
      expect(sent.map((item) => [item.file.name, item.result?.thumbnail?.parent_file_uuid])).toEqual(
        sent.map((item) => [item.file.name, item.result!.media.file_uuid]),
      );
      expect(sent.map((item) => item.file)).toEqual(chosen);
      // Emptied: no item, no preview URL left alive (test/setup.ts checks), and the app hears of it.
      expect(screen.queryAllByRole('listitem')).toHaveLength(0);
      expect(onChange.mock.calls.at(-1)![0]).toEqual([]);
      expect(root).toHaveAttribute('data-state', 'idle');
    },
    MANY_FILES_MS,
  );

  it(
    'asks getToken for one refresh when several items are refused with a 401 at once',
    async () => {
      const proxy = await proxyToServer();
      let asked = 0;
      // A session that has expired: the first requests go with the old token; any later ask gets a new one.
      const getToken = vi.fn(() => (++asked <= 2 ? 'expired' : `${reference.server.token}`));
      const onUploaded = vi.fn<(attachment: AttachmentResult) => void>();
      const root = renderComposer({ onUploaded, retry: false }, { baseUrl: proxy.url, getToken });
      dropFiles(root, [pngFile('one.png'), pngFile('two.png')]);

      await waitFor(() => expect(onUploaded).toHaveBeenCalledTimes(2), { timeout: 10_000 });
      const requests = proxy.requests();
      const refused = requests.filter((request) => request.authorization === 'Bearer expired');
      expect(refused).toHaveLength(2);
      // Every request asks getToken before it goes, but a request sent again with the refreshed token
      // does not: what is left is the one refresh for both 401s.
      const refreshes = getToken.mock.calls.length - (requests.length - refused.length);
      expect(refreshes).toBe(1);
      expect(within(root).queryByRole('alert')).toBeNull();
    },
    MANY_FILES_MS,
  );
});
