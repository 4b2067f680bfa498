import { useMutation, type UseMutationOptions } from '@tanstack/react-query';
import { UploadError } from '../core/errors';
import type { ThumbnailResult } from '../core/protocol';
import type { RetryInfo, RetryPolicy } from '../core/retry';
import type { UploadProgress } from '../core/send';
import { uploadThumbnail } from '../core/upload';
import { useUploaderConfig } from './UploaderProvider';

export interface ThumbnailUploadVariables {
  file: File;
  /** `file_uuid` of the media this thumbnail belongs to. */
  parentUuid: string;
  /** Largest file accepted, in bytes (default 10 MiB). */
  maxSize?: number;
  /** Aborting it cancels the upload; the mutation then fails with kind `'aborted'`. */
  signal?: AbortSignal;
  onProgress?: (progress: UploadProgress) => void;
  /** Called before each automatic retry. */
  onRetry?: (info: RetryInfo) => void;
  /** Automatic retries of network errors, 408, 429 and 5xx (default 3 tries in all); `false` for none. */
  retry?: Partial<RetryPolicy> | false;
}

export type ThumbnailUploadOptions = Omit<UseMutationOptions<ThumbnailResult, UploadError, ThumbnailUploadVariables>, 'mutationFn'>;

/** The react-query mutation that uploads one thumbnail with the provider's address and token. */
export function useThumbnailUpload(options: ThumbnailUploadOptions = {}) {
  const { baseUrl, fieldPrefix, queryClient, resolveToken, refreshToken } = useUploaderConfig();
  return useMutation<ThumbnailResult, UploadError, ThumbnailUploadVariables>(
    {
      mutationKey: ['react-thumbnail-uploader', 'thumbnail'],
      // Offline is reported as a network error the person can retry, not a silently paused upload.
      networkMode: 'always',
      ...options,
      mutationFn: async (variables) => uploadThumbnail({ baseUrl, fieldPrefix, token: await tokenFrom(resolveToken), refreshToken, ...variables }),
    },
    queryClient,
  );
}

async function tokenFrom(resolveToken: () => Promise<string | undefined>): Promise<string | undefined> {
  try {
    return await resolveToken();
  } catch (cause) {
    throw new UploadError('auth', 'Your sign-in could not be refreshed. Sign in again, then retry.', { cause });
  }
}
