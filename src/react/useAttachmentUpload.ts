import { useMutation } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import type { Accept } from 'react-dropzone';
import { abortedError, detailedError, isUploadError, toUploadError, type UploadError } from '../core/errors';
import { DEFAULT_CHUNK_SIZE, sendsInChunks, uploadMedia, type ChunkCheckpoint } from '../core/media';
import type { MediaResult, ThumbnailResult } from '../core/protocol';
import type { RetryPolicy } from '../core/retry';
import { uploadThumbnail } from '../core/upload';
import { sniffBlobType } from '../core/validate';
import {
  englishErrorLabels,
  errorText,
  mergeLabels,
  type LabelOverrides,
  type PauseLabels,
  type UploaderLabels,
} from './labels';
import { absoluteUrl, useUploader, type UploadIo, type UploaderApi } from './useUploader';
import { useUploaderConfig } from './UploaderProvider';

/** One uploaded attachment: the media, and its thumbnail when one was made. Named as the server names them. */
export interface AttachmentResult {
  media: MediaResult;
  thumbnail?: ThumbnailResult;
}

/** Every string the attachment uploader shows or announces. */
export interface AttachmentUploaderLabels extends UploaderLabels, PauseLabels {
  /** Status note while the thumbnail is sent, after the media. */
  uploadingThumbnail: (fileName: string) => string;
  /** The alert when the media was stored but its thumbnail failed; `sentence` is the error's. */
  thumbnailFailed: (sentence: string) => string;
  /** Status note when a video was stored without a thumbnail because no frame could be taken; `sentence` says why. */
  uploadedWithoutThumbnail: (fileName: string, sentence: string) => string;
}

/** The English labels of the attachment uploader. */
export const defaultAttachmentLabels: AttachmentUploaderLabels = {
  locale: 'en',
  region: 'Attachment upload',
  hint: 'Drag a file here, paste it, or',
  dropHere: 'Drop the file to upload it',
  choose: 'Choose file',
  chooseAnother: 'Choose another file',
  upload: 'Upload',
  cancel: 'Cancel',
  retry: 'Retry',
  pause: 'Pause',
  resume: 'Resume',
  uploading: (name) => `Uploading ${name}`,
  uploadingThumbnail: (name) => `Uploading the thumbnail of ${name}`,
  retrying: (attempt, attempts) => `Retrying… (try ${attempt} of ${attempts})`,
  uploaded: (name) => `${name} uploaded`,
  paused: (name) => `Upload of ${name} paused`,
  cancelled: 'Upload cancelled.',
  busy: 'Cancel the current upload before choosing another file.',
  partialDrop: (name, reason) => `Only ${name} was taken. ${reason}`,
  previewAlt: (name) => `Preview of ${name}`,
  uploadedAlt: (name) => `Thumbnail of ${name}`,
  thumbnailFailed: (sentence) => `The file was uploaded, but not its thumbnail. ${sentence}`,
  uploadedWithoutThumbnail: (name, sentence) => `${name} uploaded, without a thumbnail. ${sentence}`,
  errors: /* @__PURE__ */ englishErrorLabels('file'),
};

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
   * Makes the thumbnail of a file that is neither an image nor a video (a PDF's first page, …);
   * `undefined` for none. Images are their own thumbnail (scaled down), videos get a frame.
   */
  makeThumbnail?: (file: File) => Promise<Blob | File | undefined>;
  /** Longest side of the thumbnail, in pixels. @default 1024 */
  maxDimension?: number;
  /** JPEG and WebP quality of the thumbnail, 0 to 1. @default 0.85 */
  quality?: number;
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

/** How long a single-request video waits for its length (`qqduration`) before it goes without. */
const DURATION_WAIT_MS = 3000;

/** The largest attachment taken by default: 1 GiB. */
export const DEFAULT_ATTACHMENT_MAX_SIZE = 1024 * 1024 * 1024;

/** What is kept of one chosen file across pauses and retries. */
interface Job {
  file: File;
  /** The thumbnail to send: the image itself, a video frame, the app's own, or none. */
  thumbnail: Promise<File | undefined>;
  /** Stops making the thumbnail when the file is dropped. */
  stop: AbortController;
  checkpoint?: ChunkCheckpoint;
  media?: MediaResult;
  /** A video's length in seconds, learnt while its frame is captured. */
  duration?: number;
}

/**
 * Headless attachment uploader: any allowed file is previewed, uploaded as a media (in parts when
 * large, which can be paused and resumed), then its thumbnail with the media's uuid; one result.
 * A failed thumbnail keeps the media: Retry sends the thumbnail alone.
 */
export function useAttachmentUpload(options: UseAttachmentUploadOptions = {}): AttachmentUploaderApi {
  const { maxSize = DEFAULT_ATTACHMENT_MAX_SIZE, accept } = options;
  const config = useUploaderConfig();
  const labels = mergeLabels(defaultAttachmentLabels, options.labels);
  const latest = useRef(options);
  useEffect(() => {
    latest.current = options;
  });
  const job = useRef<Job | null>(null);
  const [phase, setPhase] = useState<AttachmentPhase | null>(null);
  const [media, setMedia] = useState<MediaResult | null>(null);
  const [preview, setPreview] = useState<{ file: File; blob: Blob } | null>(null);
  /** Why a video's frame could not be taken: it goes up without a thumbnail, and the person is told. */
  const [frameError, setFrameError] = useState<UploadError | null>(null);

  const forget = () => {
    job.current?.stop.abort();
    job.current = null;
    setPhase(null);
    setMedia(null);
    setPreview(null);
    setFrameError(null);
  };
  // A thumbnail still being made when the widget goes is stopped.
  useEffect(() => () => job.current?.stop.abort(), []);

  const send = async ({ file, signal, onProgress, onRetry }: UploadIo & { file: File }): Promise<AttachmentResult> => {
    const current = job.current;
    // checkFile made the job of the file upload() is given; an Upload click racing a newer drop's
    // check could name the older file: it is superseded, as if cancelled, and the newer one stays.
    if (current?.file !== file) throw abortedError();
    const { chunkSize = DEFAULT_CHUNK_SIZE, chunkThreshold, retry, maxDimension, quality } = latest.current;
    const server = {
      baseUrl: config.baseUrl,
      fieldPrefix: config.fieldPrefix,
      token: config.resolveToken,
      refreshToken: config.refreshToken,
      retry,
      signal,
      onProgress,
      onRetry,
    };
    try {
      if (!current.media) {
        const chunked = sendsInChunks({ file, chunkSize, chunkThreshold, resume: current.checkpoint });
        // A video's length goes with a single-request media (the chunk calls have no field for it);
        // it is learnt while its frame is captured, under way since the drop. Worth a short wait, not
        // a stalled upload: a video the browser neither plays nor refuses goes without it.
        if (!chunked && file.type.startsWith('video/')) {
          await Promise.race([current.thumbnail, new Promise((done) => setTimeout(done, DURATION_WAIT_MS))]);
        }
        setPhase(chunked ? 'chunks' : 'media');
        current.media = await uploadMedia({
          ...server,
          file,
          duration: current.duration === undefined ? undefined : Math.max(1, Math.round(current.duration)),
          chunkSize,
          chunkThreshold,
          resume: current.checkpoint,
          onCheckpoint: (checkpoint) => {
            current.checkpoint = checkpoint;
          },
        });
        setMedia(current.media);
      }
      // The media is stored: nothing left to pause while its thumbnail may still be in the making.
      setPhase(null);
      const thumbnail = await current.thumbnail;
      // A pause (or cancel) pressed while the thumbnail was being made: without this the upload would
      // end as a success behind a paused widget, and Resume would report it a second time.
      signal.throwIfAborted();
      if (!thumbnail) return { media: current.media };
      setPhase('thumbnail');
      onProgress({ loaded: 0, total: 0 });
      const stored = await uploadThumbnail({
        ...server,
        file: thumbnail,
        parentUuid: current.media.file_uuid,
        maxDimension,
        quality,
      });
      return { media: current.media, thumbnail: stored };
    } catch (error) {
      throw toUploadError(error, signal);
    }
  };

  const mutation = useMutation<AttachmentResult, UploadError, UploadIo & { file: File }>(
    {
      mutationKey: ['react-thumbnail-uploader', 'attachment'],
      // As for thumbnails: offline is an error the person can retry, and the core alone retries.
      networkMode: 'always',
      retry: false,
      throwOnError: false,
      mutationFn: send,
    },
    config.queryClient,
  );

  const uploader = useUploader({
    mutation,
    variables: (file, io) => ({ file, ...io }),
    checkFile: async (file) => {
      if (file.size === 0) return detailedError('invalid-file', { reason: 'empty', fileName: file.name });
      forget();
      const stop = new AbortController();
      const made: Job = { file, thumbnail: Promise.resolve(undefined), stop };
      made.thumbnail = thumbnailOf(file, latest.current, stop.signal, {
        onDuration: (seconds) => (made.duration = seconds),
        onFrameError: (error) => job.current === made && setFrameError(error),
      });
      job.current = made;
      const { thumbnail } = made;
      // Shown as soon as it exists: the image at once, a video's frame once captured.
      void thumbnail.then((blob) => {
        if (blob && job.current?.file === file) setPreview({ file, blob });
      });
      return undefined;
    },
    labels,
    accept,
    inputLimit: maxSize,
    previewOf: (file) => (preview?.file === file ? preview.blob : null),
    resultUrl: (result) => absoluteUrl(result.media.file_url, config.baseUrl),
    resultImageUrl: (result) => (result.thumbnail ? absoluteUrl(result.thumbnail.file_url, config.baseUrl) : undefined),
    onUploaded: options.onUploaded,
    onError: options.onError,
    onReset: forget,
    disabled: options.disabled ?? false,
    autoUpload: options.autoUpload ?? true,
    canPause: phase === 'chunks',
  });

  const fileName = uploader.file?.name ?? '';
  const thumbnailFailed = media !== null && uploader.error !== null && uploader.state === 'error';
  return {
    ...uploader,
    labels,
    phase: uploader.state === 'uploading' ? phase : null,
    media,
    errorMessage: thumbnailFailed ? labels.thumbnailFailed(uploader.errorMessage) : uploader.errorMessage,
    status:
      uploader.state === 'uploading' && phase === 'thumbnail' && !uploader.retrying && !uploader.announcement
        ? labels.uploadingThumbnail(fileName)
        : uploader.state === 'uploaded' && frameError && !uploader.announcement
          ? labels.uploadedWithoutThumbnail(fileName, errorText(frameError, labels, fileName))
          : uploader.status,
  };
}

/** The thumbnail of a file: an image is its own (uploadThumbnail scales it down), a video gets a frame, others the app's. */
async function thumbnailOf(
  file: File,
  options: UseAttachmentUploadOptions,
  signal: AbortSignal,
  video: { onDuration: (seconds: number) => void; onFrameError: (error: UploadError) => void },
): Promise<File | undefined> {
  try {
    if (await sniffBlobType(file)) return file;
    if (file.type.startsWith('video/')) {
      // Loaded when a video is first attached: an app that never does pays nothing for it.
      const { captureVideoFrame } = await import('../core/videoFrame');
      const { maxDimension, quality } = options;
      try {
        return await captureVideoFrame(file, { maxDimension, quality, signal, onDuration: video.onDuration });
      } catch (error) {
        if (isUploadError(error) && error.kind !== 'aborted') video.onFrameError(error);
        return undefined;
      }
    }
    const made = await options.makeThumbnail?.(file);
    if (!made || signal.aborted) return undefined;
    return made instanceof File ? made : new File([made], thumbnailName(file.name, made.type), { type: made.type });
  } catch {
    // An attachment is whole without a thumbnail: a video the browser cannot play still goes up.
    return undefined;
  }
}

function thumbnailName(name: string, type: string): string {
  const base = name.replace(/\.[^.]*$/, '') || 'attachment';
  return `${base}-thumbnail.${type === 'image/png' ? 'png' : type === 'image/webp' ? 'webp' : 'jpg'}`;
}
