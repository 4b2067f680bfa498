import { isUploadError, uploadThumbnail, type ThumbnailResult } from '../../../src/core';

/** One thumbnail upload without React: progress, cancellation and typed errors. */
export async function uploadFromInput(
  input: HTMLInputElement,
  parentUuid: string,
  signal: AbortSignal,
): Promise<ThumbnailResult | undefined> {
  const file = input.files?.[0];
  if (!file) return undefined;
  try {
    return await uploadThumbnail({
      baseUrl: 'https://community.example',
      token: () => sessionStorage.getItem('accessToken') ?? undefined,
      file,
      parentUuid,
      signal,
      onProgress: ({ loaded, total }) => console.log(`${Math.round((loaded / total) * 100)} %`),
    });
  } catch (error) {
    if (isUploadError(error) && error.kind === 'aborted') return undefined;
    throw error; // an UploadError: error.kind, error.status, error.retryable, error.message
  }
}
