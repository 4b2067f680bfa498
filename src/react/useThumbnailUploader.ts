import type { Accept } from 'react-dropzone';
import type { UploadError } from '../core/errors';
import { DEFAULT_MAX_DIMENSION } from '../core/prepare';
import type { ThumbnailResult } from '../core/protocol';
import type { RetryPolicy } from '../core/retry';
import { DEFAULT_MAX_SIZE, inputLimit, uploadThumbnail } from '../core/upload';
import type { UploadRun } from '../core/uploader';
import { englishLabels, mergeLabels, type LabelOverrides, type UploaderLabels } from './labels';
import { absoluteUrl, useUploader, type UploadState, type UploaderApi } from './useUploader';
import type { ThumbnailUploadVariables } from './useThumbnailUpload';
import { useUploaderConfig } from './UploaderProvider';

/** What the thumbnail widget shows, on its root as `data-state`. */
export type UploaderState = Exclude<UploadState, 'paused'>;

/** Every string the thumbnail uploader shows or announces. */
export interface ThumbnailUploaderLabels extends UploaderLabels {
  /** Status note when a changed `parentUuid` cancelled an upload under way. */
  parentChanged: string;
}

/** The English labels of the thumbnail uploader. */
export const defaultLabels: ThumbnailUploaderLabels = /* @__PURE__ */ englishLabels<ThumbnailUploaderLabels>('image', {
  region: 'Thumbnail upload',
  uploadedAlt: (name) => `Uploaded thumbnail of ${name}`,
  parentChanged: 'The upload was cancelled because the message it belonged to changed. Choose the image again.',
});

export interface UseThumbnailUploaderOptions {
  /** `file_uuid` of the media the thumbnail belongs to. */
  parentUuid: string;
  /** Called once per successful upload with the server's answer. */
  onUploaded?: (result: ThumbnailResult) => void;
  /** Called when an upload or a chosen file fails (not when the person cancels). */
  onError?: (error: UploadError) => void;
  /** Types offered by the file picker and accepted on drop (react-dropzone's format). @default any image, known by its bytes */
  accept?: Accept;
  /** Largest image sent, in bytes: a larger photo is taken if scaling it down brings it under. @default 10485760 (10 MiB) */
  maxSize?: number;
  /** Longest side sent, in pixels; smaller images and GIFs go as they are. The preview shows the original. @default 1024 */
  maxDimension?: number;
  /** JPEG and WebP quality of a scaled-down image, 0 to 1. @default 0.85 */
  quality?: number;
  /**
   * `false`: a HEIC/HEIF photo that the browser cannot decode itself (all but Safari) is refused with
   * reason `heic-unsupported`, instead of being decoded by libheif (LGPL-3.0, about 0.7 MB gzipped,
   * loaded only when such a photo is chosen). Either way, its thumbnail is sent as a JPEG.
   */
  heic?: false;
  /** Shows the widget but takes no file and offers no action. @default false */
  disabled?: boolean;
  /** Upload as soon as a file is chosen, or wait for `upload()`. @default true */
  autoUpload?: boolean;
  /**
   * Automatic retries of network errors, 408, 429 and 5xx, with exponential backoff and jitter; `false` for none.
   * @default { attempts: 3, baseDelayMs: 1000, maxDelayMs: 30000 }
   */
  retry?: Partial<RetryPolicy> | false;
  /** Every visible and announced string, the error sentences included; missing ones fall back to English. @default defaultLabels */
  labels?: LabelOverrides<ThumbnailUploaderLabels>;
}

type ThumbnailRun = UploadRun<never, File | undefined>;

/** Headless thumbnail uploader: state, actions and prop getters for dropzone, preview, upload, progress, cancel and retry; the markup is yours. */
export function useThumbnailUploader(options: UseThumbnailUploaderOptions): ThumbnailUploaderApi {
  const { parentUuid, accept, maxSize = DEFAULT_MAX_SIZE, maxDimension = DEFAULT_MAX_DIMENSION, quality } = options;
  const { server } = useUploaderConfig();
  const labels = mergeLabels(defaultLabels, options.labels);
  // What the check gave (`prepared`: a HEIC photo's JPEG) is sent.
  const variables = ({ file, prepared, signal, onProgress, onRetry }: ThumbnailRun): ThumbnailUploadVariables => ({
    file: prepared ?? file,
    parentUuid,
    maxSize,
    maxDimension,
    quality,
    retry: options.retry,
    signal,
    onProgress,
    onRetry,
  });
  const { uploader } = useUploader<ThumbnailResult, never, File | undefined>({
    kind: 'thumbnail',
    task: {
      // An image is known by its bytes, not by the name or type the browser gives it (none, for a HEIC
      // photo in Chrome or Firefox); nothing that is not one is ever previewed. A page's own `accept`
      // is applied as given.
      check: async (file, { preview, signal }) => {
        const { checkChosenImage } = await import('../core/validate');
        const picture = await checkChosenImage(file, options, signal);
        preview(picture);
        return picture;
      },
      send: (run) => uploadThumbnail({ ...server, ...variables(run) }),
    },
    // As useThumbnailUpload's: apps watching uploads with useMutationState read the same variables.
    variables,
    labels,
    accept,
    pickerAccept: 'image/*',
    inputLimit: inputLimit(maxSize),
    resultUrl: (result) => absoluteUrl(result.file_url, server.baseUrl),
    resultImageUrl: (result) => absoluteUrl(result.file_url, server.baseUrl),
    onUploaded: options.onUploaded,
    onError: options.onError,
    disabled: options.disabled ?? false,
    autoUpload: options.autoUpload ?? true,
    resetKey: parentUuid,
    interruptedNote: labels.parentChanged,
  });
  // Never paused: a thumbnail is sent in one request.
  return { ...uploader, state: uploader.state as UploaderState, labels };
}

/** The headless thumbnail uploader: state, actions and prop getters (see `UploaderApi`). */
export interface ThumbnailUploaderApi extends UploaderApi<ThumbnailResult> {
  state: UploaderState;
  labels: ThumbnailUploaderLabels;
}
