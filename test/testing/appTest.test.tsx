/**
 * An app's own test with `react-thumbnail-uploader/testing`, written as its testers would (the
 * Testing guide in Storybook shows this very file): the app's component renders the widget in
 * jsdom, MSW's `setupServer` answers its uploads in memory, and the test checks what the API got.
 */
import { Blob as NodeBlob, File as NodeFile } from 'node:buffer';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ThumbnailUploader, UploaderProvider } from '../../src';
import { mockUploadApi } from '../../src/testing';

// jsdom's File and FormData reach MSW empty: uploads in jsdom are made of Node's (a setup file can do this).
const NodeFormData = (await new Response(new URLSearchParams()).formData()).constructor;
Object.assign(globalThis, { Blob: NodeBlob, File: NodeFile, FormData: NodeFormData });

const api = mockUploadApi({ baseUrl: 'https://community.example' });
const server = setupServer(...api.handlers);
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => api.reset());
afterAll(() => server.close());

/** The app's component under test: a message's cover picture, saved with the answered URL. */
function CoverPicker({ getToken, onSaved }: { getToken: () => string; onSaved: (url: string) => void }) {
  return (
    <UploaderProvider baseUrl="https://community.example" getToken={getToken}>
      <ThumbnailUploader parentUuid="media-42" retry={false} onUploaded={(result) => onSaved(result.file_url)} />
    </UploaderProvider>
  );
}

/** A 2 × 2 PNG. */
const cover = () =>
  new File(
    [
      Buffer.from(
        'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAYAAABytg0kAAAAEUlEQVR4nGM4EaDxH4QZYAwAT/QI/XT94xkAAAAASUVORK5CYII=',
        'base64',
      ),
    ],
    'cover.png',
    { type: 'image/png' },
  );

async function chooseCover() {
  const user = userEvent.setup();
  await user.upload(document.querySelector<HTMLInputElement>('input[type="file"]')!, cover());
  return user;
}

describe('CoverPicker', () => {
  it('sends the thumbnail with the token and shows the picture at the answered file_url', async () => {
    const onSaved = vi.fn();
    render(<CoverPicker getToken={() => 'app-token'} onSaved={onSaved} />);
    await chooseCover();

    const shown = await screen.findByRole('img', { name: 'Uploaded thumbnail of cover.png' });
    expect(api.requests).toHaveLength(1);
    const [request] = api.requests;
    expect(request).toMatchObject({ call: 'thumbnail', authorization: 'Bearer app-token', status: 200 });
    expect(request?.fields).toEqual({
      qqparentuuid: 'media-42',
      qqfilename: 'cover.png',
      qqfiletype: 'image/png',
      qqtotalfilesize: String(cover().size),
      qqmd5: 'a649b6d00af2507b825e0e440c216691',
    });
    expect([request?.file?.name, request?.file?.size]).toEqual(['cover.png', cover().size]);
    expect(onSaved).toHaveBeenCalledWith(expect.stringMatching(/^https:\/\/community\.example\/files\/.+\.png$/));
    expect(shown).toHaveAttribute('src', onSaved.mock.calls[0]![0]);
  });

  it('shows the error of a 500, and Retry sends the picture again', async () => {
    api.fail({ call: 'thumbnail', status: 500, times: 1 });
    const onSaved = vi.fn();
    render(<CoverPicker getToken={() => 'app-token'} onSaved={onSaved} />);
    const user = await chooseCover();

    expect(await screen.findByRole('alert')).toHaveTextContent('The server failed to store the image (error 500).');
    expect(onSaved).not.toHaveBeenCalled();
    await user.click(screen.getByRole('button', { name: 'Retry' }));
    await screen.findByRole('img', { name: 'Uploaded thumbnail of cover.png' });
    expect(api.requests.map((request) => request.status)).toEqual([500, 200]);
    expect(onSaved).toHaveBeenCalledTimes(1);
  });

  it('after a 401 asks getToken again and sends once more with the new token', async () => {
    api.fail({ tokenExpired: true });
    const getToken = vi.fn().mockReturnValueOnce('expired-token').mockReturnValue('fresh-token');
    render(<CoverPicker getToken={getToken} onSaved={vi.fn()} />);
    await chooseCover();

    await screen.findByRole('img', { name: 'Uploaded thumbnail of cover.png' });
    expect(getToken).toHaveBeenCalledTimes(2);
    expect(api.requests.map(({ authorization, status }) => [authorization, status])).toEqual([
      ['Bearer expired-token', 401],
      ['Bearer fresh-token', 200],
    ]);
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('with the platform’s current names (fieldPrefix="") the API receives them without the prefix', async () => {
    render(
      <UploaderProvider baseUrl="https://community.example" token="app-token" fieldPrefix="">
        <ThumbnailUploader parentUuid="media-42" />
      </UploaderProvider>,
    );
    await chooseCover();

    await screen.findByRole('img', { name: 'Uploaded thumbnail of cover.png' });
    expect(Object.keys(api.requests[0]!.fields).sort()).toEqual([
      'filename',
      'filetype',
      'md5',
      'parentuuid',
      'totalfilesize',
    ]);
  });
});
