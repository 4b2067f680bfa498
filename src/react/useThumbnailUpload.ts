import { useMutation, type UseMutationOptions } from '@tanstack/react-query';
import type { UploadError } from '../core/errors';
import type { ThumbnailResult } from '../core/protocol';
import type { RetryInfo, RetryPolicy } from '../core/retry';
import type { UploadProgress } from '../core/send';
import { uploadThumbnail } from '../core/upload';
import { uploadMutationOptions } from './mutation';
import { useUploaderConfig } from './UploaderProvider';

export interface ThumbnailUploadVariables {
  file: File;
  /** `file_uuid` of the media this thumbnail belongs to. */
  parentUuid: string;
  /** Largest image sent, in bytes (default 10 MiB): a larger photo is taken if scaling it down brings it under. */
  maxSize?: number;
  /** Longest side sent, in pixels (default 1024); smaller images and GIFs go as they are. */
  maxDimension?: number;
  /** JPEG and WebP quality of a scaled-down image, 0 to 1 (default 0.85). */
  quality?: number;
  /** `false`: a HEIC photo the browser cannot decode (all but Safari) is refused (`heic-unsupported`), not decoded by libheif (LGPL-3.0, loaded lazily). */
  heic?: false;
  /** Aborting it cancels the upload; the mutation then fails with kind `'aborted'`. */
  signal?: AbortSignal;
  onProgress?: (progress: UploadProgress) => void;
  /** Called before each automatic retry. */
  onRetry?: (info: RetryInfo) => void;
  /** Automatic retries of network errors, 408, 429 and 5xx (default 3 tries in all); `false` for none. */
  retry?: Partial<RetryPolicy> | false;
}

export type ThumbnailUploadOptions = Omit<
  UseMutationOptions<ThumbnailResult, UploadError, ThumbnailUploadVariables>,
  'mutationFn'
>;

/** The react-query mutation that uploads one thumbnail with the provider's address and token. */
export function useThumbnailUpload(options: ThumbnailUploadOptions = {}) {
  const { queryClient, server } = useUploaderConfig();
  return useMutation<ThumbnailResult, UploadError, ThumbnailUploadVariables>(
    {
      ...uploadMutationOptions('thumbnail'),
      ...options,
      mutationFn: (variables) => uploadThumbnail({ ...server, ...variables }),
    },
    queryClient,
  );
}
