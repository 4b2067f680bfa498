import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterEach, describe, expect, inject, it, vi } from 'vitest';
import { server } from 'vitest/browser';
import { AttachmentUploader, ThumbnailUploader, UploaderProvider, type AttachmentResult } from '../../src';
import { uploadMedia } from '../../src/core/media';
import type { ThumbnailResult } from '../../src/core/protocol';
import { sniffImageType } from '../../src/core/sniff';
import { bytesOf, readPixels } from './imageFixtures';
import heicUrl from '../fixtures/portrait-quadrants.heic?url';

/** No engine here decodes HEIC itself (heic.test.ts checks it): each widget goes through libheif. */
const baseUrl = `http://127.0.0.1:${inject('liveServerPort')}`;
const token = 'dev-token';

/** An iPhone photo as Chrome and Firefox give it: no type. */
const heicFile = async () => new File([await (await fetch(heicUrl)).blob()], 'IMG_0001.HEIC', { type: '' });

function renderWidget(widget: ReactNode) {
  const { container } = render(
    <UploaderProvider baseUrl={baseUrl} token={token}>
      {widget}
    </UploaderProvider>,
  );
  return container.firstElementChild as HTMLElement;
}

/** The file picked, as the browser hands it to the widget's input: `files` set, then `input` and `change`. */
function pick(root: Element, files: File[]) {
  const input = root.querySelector<HTMLInputElement>('input[type="file"]')!;
  const transfer = new DataTransfer();
  for (const file of files) transfer.items.add(file);
  input.files = transfer.files;
  input.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
  input.dispatchEvent(new Event('change', { bubbles: true }));
}

async function typeAndSize(url: string) {
  const answer = await fetch(new URL(url, baseUrl));
  const blob = await answer.blob();
  const { width, height } = await readPixels(blob);
  return {
    type: answer.headers.get('content-type'),
    sniffed: sniffImageType(await bytesOf(blob.slice(0, 64))),
    width,
    height,
  };
}

afterEach(cleanup);

describe(`the widgets with a HEIC photo in ${server.browser}`, () => {
  it('ThumbnailUploader previews the upright JPEG made of it, and sends that', async () => {
    const parent = await uploadMedia({ baseUrl, token, file: new File([await heicFile()], 'media.heic') });
    const onUploaded = vi.fn<(result: ThumbnailResult) => void>();
    const root = renderWidget(
      <ThumbnailUploader parentUuid={parent.file_uuid} autoUpload={false} onUploaded={onUploaded} />,
    );
    pick(root, [await heicFile()]);
    const preview = await screen.findByRole('img', { name: 'Preview of IMG_0001.HEIC' }, { timeout: 10_000 });
    const previewed = await (await fetch((preview as HTMLImageElement).src)).blob();
    expect(sniffImageType(await bytesOf(previewed.slice(0, 64)))).toBe('image/jpeg');
    // Shown, not only made: the browser decoded the preview at its upright size.
    await waitFor(() => expect((preview as HTMLImageElement).naturalWidth).toBe(48));
    expect((preview as HTMLImageElement).naturalHeight).toBe(64);
    fireEvent.click(screen.getByRole('button', { name: 'Upload' }));
    await waitFor(() => expect(onUploaded).toHaveBeenCalledTimes(1), { timeout: 10_000 });
    expect(await typeAndSize(onUploaded.mock.calls[0]![0].file_url)).toEqual({
      type: 'image/jpeg',
      sniffed: 'image/jpeg',
      width: 48,
      height: 64,
    });
  });

  it('ThumbnailUploader with heic={false} says what to do', async () => {
    const onError = vi.fn();
    const root = renderWidget(<ThumbnailUploader parentUuid="any" heic={false} onError={onError} />);
    pick(root, [await heicFile()]);
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'This browser cannot read HEIC photos. Save the photo as a JPEG first (on an iPhone: Settings › Camera › Formats › Most Compatible), or open this page in Safari.',
    );
    expect(root).toHaveAttribute('data-state', 'error');
  });

  it('AttachmentUploader stores the original HEIC as the media and the upright JPEG as its thumbnail', async () => {
    const onUploaded = vi.fn<(result: AttachmentResult) => void>();
    const root = renderWidget(<AttachmentUploader onUploaded={onUploaded} />);
    const original = await heicFile();
    pick(root, [original]);
    await waitFor(() => expect(onUploaded).toHaveBeenCalledTimes(1), { timeout: 10_000 });
    const { media, thumbnail } = onUploaded.mock.calls[0]![0];
    const storedMedia = await fetch(new URL(media.file_url, baseUrl));
    expect(storedMedia.headers.get('content-type')).toBe('image/heic');
    expect(await bytesOf(await storedMedia.blob())).toEqual(await bytesOf(original));
    expect(await typeAndSize(thumbnail!.file_url)).toEqual({
      type: 'image/jpeg',
      sniffed: 'image/jpeg',
      width: 48,
      height: 64,
    });
  });
});
