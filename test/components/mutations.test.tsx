import { QueryClient, QueryClientProvider, useMutationState } from '@tanstack/react-query';
import { render, screen, waitFor } from '@testing-library/react';
import { AttachmentUploader, ThumbnailUploader, UploaderProvider } from '../../src';
import { pngFile } from '../fixtures';
import { dropFiles } from '../support/drop';
import { withReferenceServer, type ReferenceServer } from '../support/referenceServer';

let server: ReferenceServer;
let parentUuid: string;

withReferenceServer((started, media) => {
  server = started;
  parentUuid = media;
});

/** What an app shows of the library's uploads, read from its own QueryClient. */
function UploadsSeenByTheApp() {
  const uploads = useMutationState({
    filters: { mutationKey: ['react-thumbnail-uploader'] },
    select: (mutation) => `${String(mutation.options.mutationKey?.[1])} ${mutation.state.status}`,
  });
  return <output aria-label="uploads">{uploads.join(', ')}</output>;
}

describe('every upload is a react-query mutation in the app’s QueryClient', () => {
  it('so that the app sees the widgets’ uploads with useMutationState, under the library’s key', async () => {
    const client = new QueryClient({ defaultOptions: { mutations: { retry: 3, throwOnError: true } } });
    render(
      <QueryClientProvider client={client}>
        <UploaderProvider baseUrl={server.url} token={server.token}>
          <ThumbnailUploader parentUuid={parentUuid} />
          <AttachmentUploader />
        </UploaderProvider>
        <UploadsSeenByTheApp />
      </QueryClientProvider>,
    );
    dropFiles(screen.getByRole('group', { name: 'Thumbnail upload' }), [pngFile('thumb.png')]);
    await screen.findByRole('img', { name: 'Uploaded thumbnail of thumb.png' }, { timeout: 5000 });
    dropFiles(screen.getByRole('group', { name: 'Attachment upload' }), [pngFile('attached.png')]);
    await screen.findByRole('link', { name: 'attached.png' }, { timeout: 5000 });

    await waitFor(() =>
      expect(screen.getByRole('status', { name: 'uploads' })).toHaveTextContent(
        'thumbnail success, attachment success',
      ),
    );
    // The thumbnail's variables are useThumbnailUpload's: { file, parentUuid, … }.
    const [thumbnail] = client.getMutationCache().getAll();
    expect(thumbnail!.state.variables).toMatchObject({
      parentUuid,
      file: expect.objectContaining({ name: 'thumb.png' }),
    });
    // The host's default retry and throwOnError never reach the library's mutations.
    expect(
      client
        .getMutationCache()
        .getAll()
        .map((mutation) => mutation.options.retry),
    ).toEqual([false, false]);
    // Two uploads to a real server on a busy 2-core machine: a patience, not a timing.
  }, 15_000);
});
