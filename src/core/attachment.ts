import { detailedError, toUploadError, type UploadError } from './errors';
import { DEFAULT_CHUNK_SIZE, sendsInChunks, uploadMedia, type ChunkCheckpoint, type UploadMediaOptions } from './media';
import type { MediaResult, ThumbnailResult } from './protocol';
import type { RequestOptions } from './request';
import type { UploadProgress } from './send';
import type { UploadTask } from './uploader';
import { uploadThumbnail } from './upload';
import { hashLine, thumbnailLine } from './limiter';
import { md5Hex } from './md5';
import { shortName } from './format';

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
  /**
   * The app's own thumbnail of any file: what it gives wins over the library's; `undefined` lets the
   * library make it (an image scaled, a video's frame, a PDF's first page, a picture for the rest).
   */
  makeThumbnail?: (file: File) => Promise<Blob | File | undefined>;
  /** `false`: no thumbnail is made or sent. */
  thumbnail?: false;
  /** Longest side of the thumbnail, in pixels (default 1024). */
  maxDimension?: number;
  /** JPEG and WebP quality of the thumbnail, 0 to 1 (default 0.85). */
  quality?: number;
  /** `false`: a HEIC photo the browser cannot decode (all but Safari) is refused (`heic-unsupported`), not decoded by libheif (LGPL-3.0, loaded lazily). */
  heic?: false;
  /** Stops a thumbnail still waiting for its turn or being made. */
  signal?: AbortSignal;
}

/** An attachment's thumbnail while it is made. */
export interface ThumbnailJob {
  /** The picture to send once made, small already (it is also the preview); undefined for none. */
  picture: Promise<File | undefined>;
  /** A video's length in seconds, once its metadata is read. */
  duration?: number;
  /** Why an image got no picture (it cannot be decoded): it is stored without a thumbnail. */
  error?: UploadError;
}

/**
 * Starts making the thumbnail of a file, through the page's thumbnail line (two at a time, in the
 * order asked): the app's `makeThumbnail` when it gives one, else an image scaled down, a video's
 * frame, a PDF's first page, and a generated picture for anything else, or a video or PDF that cannot be drawn.
 * The picture is made small once here: it is both the preview and what is sent. Never rejects: an
 * attachment is whole without a thumbnail.
 */
export function thumbnailOf(file: File, options: ThumbnailOfOptions = {}): ThumbnailJob {
  const job: ThumbnailJob = { picture: Promise.resolve(undefined) };
  if (options.thumbnail === false) return job;
  // The makers are loaded with the first thumbnail: a page that attaches nothing pays nothing for them.
  job.picture = thumbnailLine
    .run(
      async () => (await import('./thumbnail')).makePicture(file, options, job, shortName(file.name, 30)),
      options.signal,
    )
    .catch(() => undefined);
  return job;
}

export interface UploadAttachmentOptions
  extends
    RequestOptions,
    Omit<ThumbnailOfOptions, 'thumbnail'>,
    Pick<
      UploadMediaOptions,
      | 'baseUrl'
      | 'file'
      | 'fieldPrefix'
      | 'chunkSize'
      | 'chunkThreshold'
      | 'partConcurrency'
      | 'resumeAfterReload'
      | 'onStep'
    > {
  /** The thumbnail, started earlier (to preview it), or `false` for none; default: `thumbnailOf(file, options)`. */
  thumbnail?: ThumbnailJob | false;
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
  const thumbnail = options.thumbnail || thumbnailOf(file, { ...options, thumbnail: options.thumbnail });
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
  // Hashed while the media is on the wire: once it is stored, little but the request is left.
  thumbnail.picture.then((picture) => picture && md5Hex(picture, signal)).catch(() => undefined);
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
        partConcurrency: options.partConcurrency,
        resumeAfterReload: options.resumeAfterReload,
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
> &
  Pick<ThumbnailOfOptions, 'thumbnail'>;

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
      // Made while the media uploads, and shown as soon as it exists: the same small picture is sent.
      const thumbnail = thumbnailOf(file, { ...options, signal });
      void thumbnail.picture.then((picture) => picture && preview(picture));
      // Its MD5 as well, one file at a time while it waits its turn: a media sent in one request then goes at once.
      if (!sendsInChunks({ ...options, file })) hashLine.run(() => md5Hex(file, signal), signal).catch(() => undefined);
      return thumbnail;
    },
    send: (run) => uploadAttachment({ ...options, ...run, thumbnail: run.prepared, resume: run.checkpoint }),
    // Only a file sent in parts may have a saved upload: the parts' sender is loaded for nothing else.
    discard: (file) => {
      if (options.resumeAfterReload === false || !sendsInChunks({ ...options, file })) return;
      import('./chunks').then(
        (chunks) => chunks.forgetSavedUpload(file, options),
        () => undefined,
      );
    },
  };
}
