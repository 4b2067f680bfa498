import { randomBytes } from 'node:crypto';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { IDBFactory } from 'fake-indexeddb';
import type { ReactNode } from 'react';
import {
  AttachmentUploader,
  UploaderProvider,
  useAttachmentUpload,
  type AttachmentResult,
  type UseAttachmentUploadOptions,
} from '../../src';
import { loadCheckpoint, uploadKey } from '../../src/core/resumeStore';
import type { ProxyFaults, RecordedRequest } from '../support/faultServer';
import { withProxiedReferenceServer } from '../support/proxiedServer';
import { dropFiles } from '../support/drop';

const CHUNK = 64 * 1024;
const LAST_MODIFIED = Date.UTC(2026, 0, 2);

const reference = withProxiedReferenceServer();

beforeAll(() => {
  // The page's IndexedDB, kept across the "reloads" of a test (an unmount, then a new render).
  vi.stubGlobal('indexedDB', new IDBFactory());
});
afterAll(() => vi.unstubAllGlobals());

/** The same bytes chosen again: a new File, with the same name, type and last change. */
const fileOf = (bytes: Uint8Array<ArrayBuffer>) =>
  new File([bytes], 'interview.bin', { type: 'application/octet-stream', lastModified: LAST_MODIFIED });

const parts = (requests: RecordedRequest[]) =>
  requests.map((request) => (request.url.endsWith('?done') ? 'done' : request.fields.qqpartindex));

function renderAt(baseUrl: string, widget: ReactNode) {
  return render(
    <UploaderProvider baseUrl={baseUrl} token={reference.server.token}>
      {widget}
    </UploaderProvider>,
  );
}

/** The single-file headless hook in a page's own markup: its status and its Cancel. */
function SinglePage(options: UseAttachmentUploadOptions) {
  const uploader = useAttachmentUpload(options);
  return (
    <div {...uploader.getRootProps()}>
      <input {...uploader.getInputProps()} />
      <p {...uploader.getStatusProps()}>{uploader.status}</p>
      <button {...uploader.getCancelButtonProps()}>Cancel</button>
    </div>
  );
}

/**
 * Six parts of 64 KiB: parts 0–2 stored and saved, part 3 received but never answered, then the
 * page goes (unmounted, as a reload ends it). After it, part 3 is answered 300 ms late, so that the
 * first part's status can be read.
 */
async function sendThreePartsThenLeave(widget: () => ReactNode, { saves = true } = {}) {
  const bytes = new Uint8Array(randomBytes(6 * CHUNK));
  const phase = { left: false };
  const faults: ProxyFaults = {
    swallowAnswer: (request) => !phase.left && request.fields.qqpartindex === '3',
    delay: (request) => (phase.left && request.fields.qqpartindex === '3' ? 300 : 0),
  };
  const proxy = await reference.proxyToServer(faults);
  const key = await uploadKey(fileOf(bytes), { baseUrl: proxy.url, fieldPrefix: 'qq' });
  const first = renderAt(proxy.url, widget());
  dropFiles(first.container.firstElementChild as HTMLElement, [fileOf(bytes)]);
  await waitFor(() => expect(parts(proxy.requests())).toEqual(['0', '1', '2', '3']));
  if (saves) await waitFor(async () => expect(await loadCheckpoint(key)).toMatchObject({ nextPart: 3 }));
  else {
    // Long enough for a save to land, had one been asked.
    await new Promise((done) => setTimeout(done, 100));
    expect(await loadCheckpoint(key)).toBeUndefined();
  }
  first.unmount();
  phase.left = true;
  return { bytes, proxy, key };
}

describe('after a reload, the same file goes on from its next part', () => {
  it('AttachmentUploader: the item says "Resuming … at 50 %", sends parts 3–5 only, and the record goes once stored', async () => {
    const onUploaded = vi.fn<(result: AttachmentResult) => void>();
    const widget = () => <AttachmentUploader chunkSize={CHUNK} onUploaded={onUploaded} />;
    const { bytes, proxy, key } = await sendThreePartsThenLeave(widget);

    const again = renderAt(proxy.url, widget());
    dropFiles(again.container.firstElementChild as HTMLElement, [fileOf(bytes)]);

    const item = await screen.findByRole('listitem');
    await within(item).findByText('Resuming interview.bin at 50 %');
    await waitFor(() => expect(onUploaded).toHaveBeenCalledTimes(1));
    expect(parts(proxy.requests()).slice(4)).toEqual(['3', '4', '5', 'done']);
    const { media } = onUploaded.mock.calls[0]![0];
    expect(Buffer.compare(await reference.server.storedBytes(media.file_uuid), bytes)).toBe(0);
    await waitFor(async () => expect(await loadCheckpoint(key)).toBeUndefined());
  });

  it('useAttachmentUpload: its status says so too; Cancel forgets the saved upload', async () => {
    const widget = () => <SinglePage chunkSize={CHUNK} />;
    const { bytes, proxy, key } = await sendThreePartsThenLeave(widget);

    const again = renderAt(proxy.url, widget());
    dropFiles(again.container.firstElementChild as HTMLElement, [fileOf(bytes)]);
    expect(await screen.findByText('Resuming interview.bin at 50 %')).toHaveAttribute('role', 'status');
    await userEvent.click(screen.getByRole('button', { name: 'Cancel' }));

    await waitFor(async () => expect(await loadCheckpoint(key)).toBeUndefined());
  });

  it('with resume={false}, nothing is saved and the file starts from part 0', async () => {
    const onUploaded = vi.fn<(result: AttachmentResult) => void>();
    const widget = () => <AttachmentUploader chunkSize={CHUNK} resume={false} onUploaded={onUploaded} />;
    const { bytes, proxy } = await sendThreePartsThenLeave(widget, { saves: false });

    const again = renderAt(proxy.url, widget());
    dropFiles(again.container.firstElementChild as HTMLElement, [fileOf(bytes)]);
    await waitFor(() => expect(onUploaded).toHaveBeenCalledTimes(1));
    expect(parts(proxy.requests()).slice(4)).toEqual(['0', '1', '2', '3', '4', '5', 'done']);
  });
});
