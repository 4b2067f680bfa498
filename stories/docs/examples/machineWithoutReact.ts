import { createUploader, uploadAttachment, type AttachmentCheckpoint, type AttachmentResult } from '../../../src/core';

/**
 * A whole attachment (media, then its thumbnail) from a file input, driven by the framework-free
 * upload machine: pause, resume, retry and cancel are its actions, and its snapshot is all the state.
 */
export function attachmentFromInput(input: HTMLInputElement, status: HTMLElement) {
  const uploader = createUploader<AttachmentResult, AttachmentCheckpoint>({
    task: {
      send: (run) =>
        uploadAttachment({
          baseUrl: 'https://community.example',
          token: () => sessionStorage.getItem('accessToken') ?? undefined,
          ...run,
          resume: run.checkpoint, // the parts already sent, or the stored media after a failed thumbnail
        }),
    },
    onUploaded: ({ media, thumbnail }) => console.log('stored', media.file_uuid, thumbnail?.file_url),
  });
  const stop = uploader.subscribe(() => {
    const snapshot = uploader.getSnapshot();
    if (snapshot.phase === 'sending') {
      const step =
        snapshot.step?.name === 'part'
          ? `part ${snapshot.step.index + 1} of ${snapshot.step.count}`
          : snapshot.step?.name;
      status.textContent = `${step ?? 'starting'}: ${snapshot.progress?.loaded ?? 0} bytes`;
    } else if (snapshot.phase === 'failed') status.textContent = snapshot.error.message;
    else status.textContent = snapshot.phase;
  });
  input.addEventListener('change', () => uploader.choose([...(input.files ?? [])]));
  return { pause: uploader.pause, resume: uploader.resume, retry: uploader.retry, cancel: uploader.cancel, stop };
}
