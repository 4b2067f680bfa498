import type { Accept } from 'react-dropzone';
import {
  DEFAULT_ATTACHMENT_MAX_SIZE,
  attachmentTask,
  type AttachmentCheckpoint,
  type AttachmentResult,
  type ThumbnailJob,
} from '../core/attachment';
import type { UploadError } from '../core/errors';
import type { MediaResult } from '../core/protocol';
import type { RetryPolicy } from '../core/retry';
import {
  englishLabels,
  errorText,
  mergeLabels,
  type LabelOverrides,
  type PauseLabels,
  type UploaderLabels,
} from './labels';
import type { UploadStep, UploaderSnapshot } from '../core/uploader';
import { absoluteUrl, useUploader, type UploaderApi } from './useUploader';
import { useUploaderConfig, type UploaderServer } from './UploaderProvider';

export { DEFAULT_ATTACHMENT_MAX_SIZE, type AttachmentResult };

/** Every string the attachment uploader shows or announces. */
export interface AttachmentUploaderLabels extends UploaderLabels, PauseLabels {
  /** Status note while the thumbnail is sent, after the media. */
  uploadingThumbnail: (fileName: string) => string;
  /** The alert when the media was stored but its thumbnail failed; `sentence` is the error's. */
  thumbnailFailed: (sentence: string) => string;
  /** Status note when an image was stored without a thumbnail because it could not be decoded; `sentence` says why. */
  uploadedWithoutThumbnail: (fileName: string, sentence: string) => string;
  /** Status note while the first part is sent of an upload picked up after a reload, from where it stood. */
  resuming: (fileName: string, percent: number) => string;
  /** Status note when an upload saved before a reload is unknown to the server: it starts over. */
  restarted: (fileName: string) => string;
}

/** The English labels of the attachment uploader. */
export const defaultAttachmentLabels: AttachmentUploaderLabels =
  /* @__PURE__ */ englishLabels<AttachmentUploaderLabels>('file', {
    region: 'Attachment upload',
    uploadedAlt: (name) => `Thumbnail of ${name}`,
    pause: 'Pause',
    resume: 'Resume',
    paused: (name) => `Upload of ${name} paused`,
    uploadingThumbnail: (name) => `Uploading the thumbnail of ${name}`,
    thumbnailFailed: (sentence) => `The file was uploaded, but not its thumbnail. ${sentence}`,
    uploadedWithoutThumbnail: (name, sentence) => `${name} uploaded, without a thumbnail. ${sentence}`,
    resuming: (name, percent) => `Resuming ${name} at ${percent} %`,
    restarted: (name) => `Uploading ${name} again from the start: the server no longer had its parts`,
  });

export interface UseAttachmentUploadOptions {
  /** Called once per attachment, when the media and its thumbnail (if any) are stored. */
  onUploaded?: (result: AttachmentResult) => void;
  /** Called when an upload or a chosen file fails (not when the person cancels or pauses). */
  onError?: (error: UploadError) => void;
  /** Types offered by the file picker and accepted on drop (react-dropzone's format). @default any file */
  accept?: Accept;
  /** Largest file taken, in bytes. @default 1073741824 (1 GiB) */
  maxSize?: number;
  /** Bytes per part of a chunked upload. @default 5242880 (5 MiB) */
  chunkSize?: number;
  /** Files larger than this go in parts, which can be paused and resumed; smaller ones in one request. @default chunkSize */
  chunkThreshold?: number;
  /**
   * Parts of one media in flight at once after its part 0. Above 1 they may arrive out of order:
   * raise it only when the server places each part at its `partbyteoffset` (the reference server
   * does; the platform's own client sends parts in series). @default 1
   */
  partConcurrency?: number;
  /**
   * The app's own thumbnail of any file: what it gives wins; `undefined` lets the library make one
   * (an image scaled down, a video's frame, a PDF's first page, a generated picture for the rest).
   */
  makeThumbnail?: (file: File) => Promise<Blob | File | undefined>;
  /** `false`: no thumbnail is made or sent. */
  thumbnail?: false;
  /** Longest side of the thumbnail, in pixels. @default 1024 */
  maxDimension?: number;
  /** JPEG and WebP quality of the thumbnail, 0 to 1. @default 0.85 */
  quality?: number;
  /**
   * `false`: a HEIC/HEIF photo that the browser cannot decode itself (all but Safari) is refused with
   * reason `heic-unsupported`, instead of being decoded by libheif (LGPL-3.0, about 0.7 MB gzipped,
   * loaded only when such a photo is chosen). Either way, its thumbnail is sent as a JPEG.
   */
  heic?: false;
  /**
   * A large file's parts are saved in the browser (IndexedDB) as they go: chosen again after a
   * reload, the same file goes on from its next part, and its status says so ("Resuming clip.mp4 at
   * 60 %"). Saved uploads are offered for `maxAgeMs` (24 h by default, as long as the reference
   * server keeps parts), and forgotten once stored or cancelled. Without IndexedDB (a private
   * window), nothing is saved. `false`: nothing is saved. @default { maxAgeMs: 86400000 }
   */
  resume?: false | { maxAgeMs?: number };
  /** Shows the widget but takes no file and offers no action. @default false */
  disabled?: boolean;
  /** Upload as soon as a file is chosen, or wait for `upload()`. @default true */
  autoUpload?: boolean;
  /**
   * Automatic retries of network errors, 408, 429 and 5xx, each part alone, with exponential backoff and jitter; `false` for none.
   * @default { attempts: 3, baseDelayMs: 1000, maxDelayMs: 30000 }
   */
  retry?: Partial<RetryPolicy> | false;
  /** Every visible and announced string, the error sentences included; missing ones fall back to English. @default defaultAttachmentLabels */
  labels?: LabelOverrides<AttachmentUploaderLabels>;
}

/** The headless attachment uploader: the shared state, actions and prop getters, and what an attachment adds. */
export interface AttachmentUploaderApi extends UploaderApi<AttachmentResult> {
  labels: AttachmentUploaderLabels;
  /** What is being sent: the media (in one request or in parts), then its thumbnail. */
  phase: AttachmentPhase | null;
  /** The stored media, once it is: kept when its thumbnail fails, so that Retry sends the thumbnail alone. */
  media: MediaResult | null;
}

/** What is being sent: the media in one request, the media in parts (which can be paused), or the thumbnail. */
export type AttachmentPhase = 'media' | 'chunks' | 'thumbnail';

/**
 * Headless attachment uploader: any allowed file is previewed, uploaded as a media (in parts when
 * large, which can be paused and resumed), then its thumbnail with the media's uuid; one result.
 * A failed thumbnail keeps the media: Retry sends the thumbnail alone.
 */
export function useAttachmentUpload(options: UseAttachmentUploadOptions = {}): AttachmentUploaderApi {
  const { maxSize = DEFAULT_ATTACHMENT_MAX_SIZE, accept } = options;
  const { server } = useUploaderConfig();
  const labels = mergeLabels(defaultAttachmentLabels, options.labels);
  const { uploader, snapshot } = useUploader<AttachmentResult, AttachmentCheckpoint, ThumbnailJob>({
    kind: 'attachment',
    task: attachmentTaskFor(options, server),
    labels,
    accept,
    inputLimit: maxSize,
    resultUrl: (result) => absoluteUrl(result.media.file_url, server.baseUrl),
    resultImageUrl: (result) => (result.thumbnail ? absoluteUrl(result.thumbnail.file_url, server.baseUrl) : undefined),
    onUploaded: options.onUploaded,
    onError: options.onError,
    disabled: options.disabled ?? false,
    autoUpload: options.autoUpload ?? true,
    canPause: canPauseAttachment,
  });

  const stored = 'checkpoint' in snapshot ? snapshot.checkpoint?.media : undefined;
  const sending = snapshot.phase === 'sending' ? snapshot.step : null;
  // Between the stored media and its thumbnail's request (a frame still being taken), no step is under way.
  const step = stored && sending?.name !== 'thumbnail' ? null : sending;
  const media = snapshot.phase === 'uploaded' ? snapshot.result.media : (stored ?? null);
  const thumbnailFailed = snapshot.phase === 'failed' && snapshot.step?.name === 'thumbnail';
  const withoutThumbnail = snapshot.phase === 'uploaded' ? snapshot.prepared?.error : undefined;
  const { fileName, announcement } = uploader;
  const origin = uploader.retrying || announcement ? '' : partOrigin(step, labels, fileName);
  return {
    ...uploader,
    labels,
    phase: step ? PHASES[step.name] : null,
    media,
    errorMessage: thumbnailFailed ? labels.thumbnailFailed(uploader.errorMessage) : uploader.errorMessage,
    status:
      step?.name === 'thumbnail' && !uploader.retrying && !announcement
        ? labels.uploadingThumbnail(fileName)
        : origin
          ? origin
          : withoutThumbnail && !announcement
            ? labels.uploadedWithoutThumbnail(fileName, errorText(withoutThumbnail, labels, fileName))
            : uploader.status,
  };
}

/** The attachment task for a hook's options, sent to the provider's server. */
export function attachmentTaskFor(options: UseAttachmentUploadOptions, server: UploaderServer) {
  const { makeThumbnail, thumbnail, chunkSize, chunkThreshold, partConcurrency, retry, maxDimension, quality, heic } =
    options;
  return attachmentTask({
    ...server,
    resumeAfterReload: options.resume,
    makeThumbnail,
    thumbnail,
    chunkSize,
    chunkThreshold,
    partConcurrency,
    retry,
    maxDimension,
    quality,
    heic,
  });
}

/** The status of the first part of an upload picked up after a reload, or started over; empty for any other step. */
export function partOrigin(
  step: UploadStep | null | undefined,
  labels: AttachmentUploaderLabels,
  fileName: string,
): string {
  if (step?.name !== 'part') return '';
  if (step.resumedAt !== undefined) return labels.resuming(fileName, step.resumedAt);
  return step.restarted ? labels.restarted(fileName) : '';
}

/** A media under way in parts can be paused between them; once stored, nothing is left to pause while its thumbnail is made. */
export const canPauseAttachment = (current: UploaderSnapshot<AttachmentResult, AttachmentCheckpoint, ThumbnailJob>) =>
  current.phase === 'sending' && current.step?.name === 'part' && !current.checkpoint?.media;

const PHASES = { media: 'media', part: 'chunks', thumbnail: 'thumbnail' } as const;
