import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { ReactElement } from 'react';
import { shortName } from '../../src/core/format';
import { ThumbnailUploader, UploaderProvider } from '../../src';
import { pngFile } from '../fixtures';
import { startHangingServer, startScriptedServer, thumbnailAnswer } from '../support/faultServer';
import { startReferenceServer } from '../support/referenceServer';
import { dropFiles } from '../support/drop';

const serverError = {
  status: 500,
  body: '<html><h1>Internal Server Error</h1></html>',
  headers: { 'Content-Type': 'text/html' },
};

const boundaryOf = (body: string) => body.slice(0, body.indexOf('\r\n'));

/** The widget, in a provider that talks to `baseUrl` with a token. */
function renderAt(baseUrl: string, widget: ReactElement) {
  return render(
    <UploaderProvider baseUrl={baseUrl} token="t">
      {widget}
    </UploaderProvider>,
  );
}

/**
 * An image whose bytes cannot be read until `release()`: the widget's check of it (by its first bytes)
 * stays under way meanwhile. `checking` settles once the check has started; `release()` once the held
 * read has finished, after which the check ends in a few promise steps (see `settle`).
 */
function heldImage(name: string) {
  const file = pngFile(name);
  let started!: () => void;
  const checking = new Promise<void>((resolve) => (started = resolve));
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  let read!: Promise<unknown>;
  const slice = file.slice.bind(file);
  file.slice = (...args: Parameters<Blob['slice']>) => {
    const part = slice(...args);
    const bytes = part.arrayBuffer.bind(part);
    part.arrayBuffer = () => {
      started();
      const held = gate.then(bytes);
      read ??= held;
      return held;
    };
    return part;
  };
  return {
    file,
    checking,
    release: async () => {
      open();
      await read;
    },
  };
}

/** Lets a check whose read has finished take its course: it resumes in promise steps, all run before the next task. */
const settle = () => act(() => new Promise((resolve) => setTimeout(resolve, 0)));

describe('ThumbnailUploader when the server fails', () => {
  it('shows "Retrying…" with the try while it retries a 5xx by itself, then the result', async () => {
    const server = await startScriptedServer(serverError, serverError, thumbnailAnswer('media-1'));
    try {
      const onUploaded = vi.fn();
      const { container } = renderAt(
        server.url,
        <ThumbnailUploader parentUuid="media-1" onUploaded={onUploaded} retry={{ baseDelayMs: 150 }} />,
      );
      // Every text the status shows, however briefly: polling could miss a short backoff on a busy machine.
      const status = screen.getByRole('status');
      const shown: string[] = [];
      const watch = new MutationObserver(() => shown.push(status.textContent ?? ''));
      watch.observe(status, { childList: true, characterData: true, subtree: true });
      dropFiles(container.firstElementChild!, [pngFile('flaky.png')]);
      const image = await screen.findByRole('img', { name: 'Uploaded thumbnail of flaky.png' });
      watch.disconnect();
      expect(shown).toContain('Retrying… (try 2 of 3)');
      expect(shown).toContain('Retrying… (try 3 of 3)');
      expect(shown.indexOf('Retrying… (try 2 of 3)')).toBeLessThan(shown.indexOf('Retrying… (try 3 of 3)'));
      // The server answered a relative file_url: it is shown from the API's origin, not the page's.
      expect(image).toHaveAttribute('src', `${server.url}/files/t.png`);
      expect(screen.queryByRole('alert')).toBeNull();
      expect(onUploaded).toHaveBeenCalledTimes(1);
      expect(server.counts().started).toBe(3);
    } finally {
      await server.close();
    }
  });

  it('Retry after a failure sends once, however fast it is clicked twice', async () => {
    const server = await startScriptedServer(serverError, thumbnailAnswer('media-1'));
    try {
      const user = userEvent.setup();
      const { container } = renderAt(server.url, <ThumbnailUploader parentUuid="media-1" retry={false} />);
      dropFiles(container.firstElementChild!, [pngFile('again.png')]);
      expect(await screen.findByRole('alert')).toHaveTextContent('error 500');
      const retry = screen.getByRole('button', { name: 'Retry' });
      await user.dblClick(retry);
      await screen.findByRole('img', { name: 'Uploaded thumbnail of again.png' });
      expect(server.counts().started).toBe(2);
      // Retry sends the same bytes with the same MD5.
      const [first, second] = server.bodies().map((body) => body.replaceAll(boundaryOf(body), '--boundary'));
      expect(second).toBe(first);
      expect(new Set(server.fieldValues('qqmd5'))).toHaveProperty('size', 1);
    } finally {
      await server.close();
    }
  });

  it('Cancel ignores the second click of a double click, which was meant for the button it replaced', async () => {
    const hanging = await startHangingServer();
    try {
      const { container } = renderAt(hanging.url, <ThumbnailUploader parentUuid="media-1" />);
      dropFiles(container.firstElementChild!, [pngFile('kept.png')]);
      const cancel = await screen.findByRole('button', { name: 'Cancel' });
      fireEvent.click(cancel, { detail: 2 });
      expect(container.firstElementChild).toHaveAttribute('data-state', 'uploading');
      fireEvent.click(cancel, { detail: 1 });
      expect(container.firstElementChild).toHaveAttribute('data-state', 'idle');
    } finally {
      await hanging.close();
    }
  });

  it('keeps the upload and its Cancel button on screen while a file is dragged over it; Escape cancels', async () => {
    const hanging = await startHangingServer();
    try {
      const { container } = renderAt(hanging.url, <ThumbnailUploader parentUuid="media-1" />);
      const root = container.firstElementChild!;
      dropFiles(root, [pngFile('busy.png')]);
      await screen.findByRole('button', { name: 'Cancel' });
      await waitFor(() => expect(hanging.counts().started).toBe(1));
      fireEvent.dragEnter(root, {
        dataTransfer: { files: [pngFile('other.png')], types: ['Files'], items: [{ kind: 'file', type: 'image/png' }] },
      });
      await act(() => new Promise((resolve) => setTimeout(resolve, 50)));
      expect(root).toHaveAttribute('data-state', 'uploading');
      expect(root).toHaveAttribute('aria-busy', 'true');
      expect(screen.getByRole('button', { name: 'Cancel' })).toBeInTheDocument();

      fireEvent.dragLeave(root, { dataTransfer: { files: [], types: ['Files'], items: [] } });
      fireEvent.keyDown(root, { key: 'Escape' });
      expect(root).toHaveAttribute('data-state', 'idle');
      await waitFor(() => expect(hanging.counts().closedByClient).toBe(1));
    } finally {
      await hanging.close();
    }
  });

  it('starts nothing when it is unmounted while a drop is still being read', async () => {
    const hanging = await startHangingServer();
    try {
      const { container, unmount } = renderAt(hanging.url, <ThumbnailUploader parentUuid="media-1" />);
      dropFiles(container.firstElementChild!, [pngFile('late.png')]);
      unmount();
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(hanging.counts().started).toBe(0);
    } finally {
      await hanging.close();
    }
  });

  it('cancels an upload whose parentUuid changes, and says so', async () => {
    const hanging = await startHangingServer();
    try {
      const onError = vi.fn();
      const view = (parentUuid: string) => (
        <UploaderProvider baseUrl={hanging.url} token="t">
          <ThumbnailUploader parentUuid={parentUuid} onError={onError} />
        </UploaderProvider>
      );
      const { container, rerender } = render(view('media-1'));
      dropFiles(container.firstElementChild!, [pngFile('moving.png')]);
      await waitFor(() => expect(hanging.counts().started).toBe(1));
      rerender(view('media-2'));
      await waitFor(() => expect(hanging.counts().closedByClient).toBe(1));
      expect(container.firstElementChild).toHaveAttribute('data-state', 'idle');
      expect(screen.getByRole('status')).toHaveTextContent('the message it belonged to changed');
      expect(onError).not.toHaveBeenCalled();
    } finally {
      await hanging.close();
    }
  });

  it('keeps the upload of a later drop when an earlier drop, slower to check, is done checking', async () => {
    const hanging = await startHangingServer();
    try {
      const { container } = renderAt(hanging.url, <ThumbnailUploader parentUuid="media-1" />);
      const root = container.firstElementChild!;
      const slow = heldImage('slow.png');
      dropFiles(root, [slow.file]);
      await act(() => slow.checking);
      dropFiles(root, [pngFile('quick.png')]);
      await waitFor(() => expect(hanging.counts().started).toBe(1));

      await act(() => slow.release());
      await settle();
      expect(screen.getByRole('progressbar', { name: 'Uploading quick.png' })).toBeInTheDocument();
      expect(screen.getByRole('status')).toHaveTextContent('Uploading quick.png');
      expect(hanging.counts()).toEqual({ started: 1, closedByClient: 0 });
    } finally {
      await hanging.close();
    }
  });

  it('sends nothing when parentUuid changes while a drop is still being checked', async () => {
    const server = await startScriptedServer(thumbnailAnswer('media-2'));
    try {
      const view = (parentUuid: string) => (
        <UploaderProvider baseUrl={server.url} token="t">
          <ThumbnailUploader parentUuid={parentUuid} />
        </UploaderProvider>
      );
      const { container, rerender } = render(view('media-1'));
      const root = container.firstElementChild!;
      const held = heldImage('for-media-1.png');
      dropFiles(root, [held.file]);
      await act(() => held.checking);
      rerender(view('media-2'));

      await act(() => held.release());
      await settle();
      expect(root).toHaveAttribute('data-state', 'idle');
      expect(screen.queryByRole('img')).toBeNull();
      expect(screen.getByText('Drag an image here, paste it, or')).toBeInTheDocument();

      // The widget is ready for the new media: what is dropped now goes to it, and only that.
      dropFiles(root, [pngFile('for-media-2.png')]);
      await screen.findByRole('img', { name: 'Uploaded thumbnail of for-media-2.png' });
      expect(server.fieldValues('qqfilename')).toEqual(['for-media-2.png']);
      expect(server.fieldValues('qqparentuuid')).toEqual(['media-2']);
    } finally {
      await server.close();
    }
  });

  it('refuses a second image dropped while one uploads, and keeps the first going', async () => {
    const hanging = await startHangingServer();
    try {
      const { container } = renderAt(hanging.url, <ThumbnailUploader parentUuid="media-1" />);
      const root = container.firstElementChild!;
      dropFiles(root, [pngFile('first.png')]);
      await waitFor(() => expect(hanging.counts().started).toBe(1));
      dropFiles(root, [pngFile('second.png')]);
      await waitFor(() =>
        expect(screen.getByRole('status')).toHaveTextContent(
          'Cancel the current upload before choosing another image.',
        ),
      );
      expect(screen.getByRole('progressbar', { name: 'Uploading first.png' })).toBeInTheDocument();
      expect(hanging.counts()).toEqual({ started: 1, closedByClient: 0 });
    } finally {
      await hanging.close();
    }
  });
});

describe('ThumbnailUploader with hostile file names', () => {
  it('shows a name with markup as text, shortened, and sends it whole', async () => {
    const server = await startReferenceServer();
    try {
      const parentUuid = await server.createMedia();
      const name = `<img src=x onerror="window.hacked=1">${'very-long-holiday-name-'.repeat(10)}.png`;
      const { container } = render(
        <UploaderProvider baseUrl={server.url} token={server.token}>
          <ThumbnailUploader parentUuid={parentUuid} />
        </UploaderProvider>,
      );
      dropFiles(container.firstElementChild!, [pngFile(name)]);
      const shown = shortName(name);
      expect(shown.length).toBeLessThanOrEqual(48);
      expect(shown).toMatch(/^<img src=x.*….png$/);
      await screen.findByRole('img', { name: `Uploaded thumbnail of ${shown}` });
      expect(screen.getByRole('status')).toHaveTextContent(`${shown} uploaded`);
      // The name is text: no element came out of it.
      expect(container.querySelectorAll('img')).toHaveLength(1);
      expect(container.querySelector('[onerror]')).toBeNull();
      const [stored] = await server.thumbnails();
      expect(stored).toMatchObject({ originalName: name, fields: expect.objectContaining({ qqfilename: name }) });
    } finally {
      await server.close();
    }
  });
});
