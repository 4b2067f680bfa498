import { detailedError, isUploadError, toUploadError, type UploadError } from './errors';
import { DEFAULT_CHUNK_SIZE, sendsInChunks, uploadMedia, type ChunkCheckpoint, type UploadMediaOptions } from './media';
import type { MediaResult, ThumbnailResult } from './protocol';
import type { RequestOptions } from './request';
import type { UploadProgress } from './send';
import type { UploadTask } from './uploader';
import { uploadThumbnail } from './upload';

/** One uploaded attachment: the media, and its thumbnail when one was made. Named as the server names them. */
export interface AttachmentResult {
  media: MediaResult;
  thumbnail?: ThumbnailResult;
}

/** Where an attachment stands: the parts of its media sent so far, or its media stored (only the thumbnail is left). */
export interface AttachmentCheckpoint {
  parts?: ChunkCheckpoint;
  media?: MediaResult;
}

/** The largest attachment taken by default: 1 GiB. */
export const DEFAULT_ATTACHMENT_MAX_SIZE = 1024 * 1024 * 1024;

/** How long a single-request video waits for its length (`qqduration`) before it goes without. */
const DURATION_WAIT_MS = 3000;

export interface ThumbnailOfOptions {
  /** Makes the thumbnail of a file that is neither an image nor a video; `undefined` for none. */
  makeThumbnail?: (file: File) => Promise<Blob | File | undefined>;
  /** Longest side of a video's frame, in pixels (default 1024). */
  maxDimension?: number;
  /** JPEG quality of a video's frame, 0 to 1 (default 0.85). */
  quality?: number;
  /** Stops a frame still being taken. */
  signal?: AbortSignal;
}

/** An attachment's thumbnail while it is made. */
export interface ThumbnailJob {
  /** The picture to send once made; undefined for none. */
  picture: Promise<File | undefined>;
  /** A video's length in seconds, once its metadata is read. */
  duration?: number;
  /** Why a video got no picture: it is stored without a thumbnail. */
  error?: UploadError;
}

/**
 * Starts making the thumbnail of a file: an image is its own (uploadThumbnail scales it down), a
 * video gets a frame, any other file the app's `makeThumbnail`. Never rejects: an attachment is
 * whole without a thumbnail.
 */
export function thumbnailOf(file: File, options: ThumbnailOfOptions = {}): ThumbnailJob {
  const job: ThumbnailJob = { picture: Promise.resolve(undefined) };
  job.picture = makePicture(file, options, job).catch(() => undefined);
  return job;
}

async function makePicture(file: File, options: ThumbnailOfOptions, job: ThumbnailJob): Promise<File | undefined> {
  const { signal } = options;
  if (await (await import('./validate')).sniffBlobType(file)) return file;
  if (file.type.startsWith('video/')) {
    // Loaded when a video is first attached: an app that never does pays nothing for it.
    const { captureVideoFrame } = await import('./videoFrame');
    try {
      return await captureVideoFrame(file, { ...options, onDuration: (seconds) => (job.duration = seconds) });
    } catch (error) {
      if (isUploadError(error) && error.kind !== 'aborted') job.error = error;
      return undefined;
    }
  }
  const made = await options.makeThumbnail?.(file);
  if (!made || signal?.aborted) return undefined;
  return made instanceof File ? made : new File([made], thumbnailName(file.name, made.type), { type: made.type });
}

function thumbnailName(name: string, type: string): string {
  const base = name.replace(/\.[^.]*$/, '') || 'attachment';
  return `${base}-thumbnail.${type === 'image/png' ? 'png' : type === 'image/webp' ? 'webp' : 'jpg'}`;
}

export interface UploadAttachmentOptions
  extends
    RequestOptions,
    ThumbnailOfOptions,
    Pick<UploadMediaOptions, 'baseUrl' | 'file' | 'fieldPrefix' | 'chunkSize' | 'chunkThreshold' | 'onStep'> {
  /** The thumbnail, started earlier (to preview it); default: `thumbnailOf(file, options)`. */
  thumbnail?: ThumbnailJob;
  /** Goes on from where an earlier call stopped: the parts not yet sent, or the thumbnail alone. */
  resume?: AttachmentCheckpoint;
  /** Progress of the step under way: the media over its bytes, then the thumbnail's request. */
  onProgress?: (progress: UploadProgress) => void;
  /** Called after every part and once the media is stored, with what `resume` needs. */
  onCheckpoint?: (checkpoint: AttachmentCheckpoint) => void;
}

/**
 * Uploads a whole attachment: the media (in one request, or in parts when large), then its
 * thumbnail with the media's uuid. When the thumbnail fails, the error says so by the step it came
 * at (`thumbnail`), and the last checkpoint holds the stored media: `resume` with it sends the
 * thumbnail alone.
 */
export async function uploadAttachment(options: UploadAttachmentOptions): Promise<AttachmentResult> {
  const { file, signal, resume = {}, chunkSize = DEFAULT_CHUNK_SIZE, chunkThreshold } = options;
  const thumbnail = options.thumbnail ?? thumbnailOf(file, options);
  const server: RequestOptions & { baseUrl: string; fieldPrefix?: string } = {
    baseUrl: options.baseUrl,
    fieldPrefix: options.fieldPrefix,
    token: options.token,
    refreshToken: options.refreshToken,
    retry: options.retry,
    idleTimeoutMs: options.idleTimeoutMs,
    signal,
    onRetry: options.onRetry,
  };
  try {
    let { media } = resume;
    if (!media) {
      // A video's length goes with a single-request media (the chunk calls have no field for it); it
      // is learnt while its frame is taken. Worth a short wait, not a stalled upload.
      if (!sendsInChunks({ file, chunkSize, chunkThreshold, resume: resume.parts }) && file.type.startsWith('video/')) {
        let timer: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([thumbnail.picture, new Promise((done) => (timer = setTimeout(done, DURATION_WAIT_MS)))]);
        clearTimeout(timer);
      }
      const { duration } = thumbnail;
      media = await uploadMedia({
        ...server,
        file,
        duration: duration === undefined ? undefined : Math.max(1, Math.round(duration)),
        chunkSize,
        chunkThreshold,
        resume: resume.parts,
        onProgress: options.onProgress,
        onStep: options.onStep,
        onCheckpoint: (parts) => options.onCheckpoint?.({ parts }),
      });
      options.onCheckpoint?.({ media });
    }
    const picture = await thumbnail.picture;
    // A pause pressed while the thumbnail was made: the media stays stored, the thumbnail waits.
    signal?.throwIfAborted();
    if (!picture) return { media };
    options.onStep?.({ name: 'thumbnail' });
    options.onProgress?.({ loaded: 0, total: 0 });
    const stored = await uploadThumbnail({
      ...server,
      file: picture,
      parentUuid: media.file_uuid,
      maxDimension: options.maxDimension,
      quality: options.quality,
      onProgress: options.onProgress,
    });
    return { media, thumbnail: stored };
  } catch (error) {
    throw toUploadError(error, signal);
  }
}

/** What every attachment of an uploader or a queue is sent with: the server, the parts, the thumbnail. */
export type AttachmentTaskOptions = Omit<
  UploadAttachmentOptions,
  'file' | 'thumbnail' | 'resume' | 'signal' | 'onProgress' | 'onRetry' | 'onStep' | 'onCheckpoint'
>;

/**
 * The task of `createUploader` (or a queue) for attachments: the check refuses an empty file and
 * starts its thumbnail (shown as the preview once made), the send uploads the attachment from where
 * the last run stopped.
 */
export function attachmentTask(
  options: AttachmentTaskOptions,
): UploadTask<AttachmentResult, AttachmentCheckpoint, ThumbnailJob> {
  return {
    check: async (file, { signal, preview }) => {
      if (file.size === 0) throw detailedError('invalid-file', { reason: 'empty', fileName: file.name });
      // Made while the media uploads, and shown as soon as it exists: an image at once, a video's frame once taken.
      const thumbnail = thumbnailOf(file, { ...options, signal });
      void thumbnail.picture.then((picture) => picture && preview(picture));
      return thumbnail;
    },
    send: (run) => uploadAttachment({ ...options, ...run, thumbnail: run.prepared, resume: run.checkpoint }),
  };
}
