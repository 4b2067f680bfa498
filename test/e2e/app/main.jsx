// An app that installed the package: it imports the published entry points by name, never src/.
// Plain JSX on purpose: `tsc -p .` would otherwise need dist/ built before it can check this file.
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { AttachmentUploader, ThumbnailUploader, UploaderProvider } from 'react-thumbnail-uploader';
import { thumbnailOf } from 'react-thumbnail-uploader/core';
import 'react-thumbnail-uploader/styles.css';

const params = new URLSearchParams(location.search);
const queryClient = new QueryClient();

/** What the test reads back: every onUploaded, onError and onChange call, and the host's react-query mutations. */
const probe = {
  uploaded: [],
  errors: [],
  changes: [],
  hostMutations: () => queryClient.getMutationCache().getAll().length,
  /** The thumbnail the package makes of a file of these bytes: its name, type and size in pixels. */
  thumbnailOf: async (bytes, name) => {
    const picture = await thumbnailOf(new File([new Uint8Array(bytes)], name)).picture;
    if (!picture) return null;
    const bitmap = await createImageBitmap(picture);
    return { name: picture.name, type: picture.type, width: bitmap.width, height: bitmap.height };
  },
};
window.e2e = probe;

createRoot(document.getElementById('root')).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <UploaderProvider baseUrl={params.get('baseUrl')} token={params.get('token')}>
        {params.get('widget') === 'attachments' ? (
          // A message's attachments: the composer reads the list's names and states on every change.
          <AttachmentUploader
            chunkSize={Number(params.get('chunkSize')) || undefined}
            partConcurrency={Number(params.get('partConcurrency')) || undefined}
            onUploaded={(attachment) => probe.uploaded.push(attachment)}
            onError={(error) => probe.errors.push({ kind: error.kind, message: error.message })}
            onChange={(items) => probe.changes.push(items.map((item) => [item.file.name, item.state]))}
          />
        ) : (
          <ThumbnailUploader
            parentUuid={params.get('parentUuid')}
            onUploaded={(result) => probe.uploaded.push(result)}
            onError={(error) => probe.errors.push({ kind: error.kind, message: error.message })}
          />
        )}
      </UploaderProvider>
    </QueryClientProvider>
  </StrictMode>,
);
