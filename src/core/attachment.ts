import { detailedError, isUploadError, toUploadError, type UploadError } from './errors';
import { DEFAULT_CHUNK_SIZE, sendsInChunks, uploadMedia, type ChunkCheckpoint, type UploadMediaOptions } from './media';
import type { MediaResult, ThumbnailResult } from './protocol';
import type { RequestOptions } from './request';
import type { UploadProgress } from './send';
import type { UploadTask } from './uploader';
import { uploadThumbnail } from './upload';
import { thumbnailLine } from './limiter';
import { DEFAULT_MAX_DIMENSION, DEFAULT_QUALITY, prepareImage } from './prepare';
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
  job.picture = thumbnailLine.run(() => makePicture(file, options, job), options.signal).catch(() => undefined);
  return job;
}

async function makePicture(file: File, options: ThumbnailOfOptions, job: ThumbnailJob): Promise<File | undefined> {
  const { signal, maxDimension = DEFAULT_MAX_DIMENSION, quality = DEFAULT_QUALITY } = options;
  const { sniffBlobType } = await import('./validate');
  const made = await options.makeThumbnail?.(file);
  if (signal?.aborted) return undefined;
  if (made) {
    const picture = await named(made, file);
    // Scaled like any image; anything else goes as it is, for uploadThumbnail to refuse with its reason.
    return (await sniffBlobType(picture)) ? keepingError(job, prepareImage(picture, options)) : picture;
  }
  // Scaled once here, so that neither the preview nor the send holds the original.
  if (await sniffBlobType(file)) return keepingError(job, prepareImage(file, options));
  if (file.type.startsWith('video/')) {
    // Loaded when a video is first attached: an app that never does pays nothing for it.
    const { captureVideoFrame } = await import('./videoFrame');
    const onDuration = (seconds: number) => (job.duration = seconds);
    const frame = await captureVideoFrame(file, { ...options, onDuration }).catch(() => undefined);
    if (frame || signal?.aborted) return frame;
    // A video this browser cannot play (an iPhone's HEVC in Firefox, a WebM in an older Safari) may
    // well play where it is watched: it gets a picture like any other file, and no error.
  }
  // What follows draws on an OffscreenCanvas: none in Node or jsdom (nor in browsers before 2023).
  if (typeof OffscreenCanvas !== 'function') return undefined;
  // `%PDF-` in the first 1024 bytes, where PDF readers look for it (some files have bytes before it).
  if (new TextDecoder('latin1').decode(await file.slice(0, 1024).arrayBuffer()).includes('%PDF-')) {
    // pdf.js is loaded only now, when a PDF is attached (see pdfPage.ts).
    const { renderPdfPage } = await import('./pdfPage');
    const page = await renderPdfPage(file, { maxDimension, quality, signal }).catch(() => undefined);
    if (page) return named(page, file);
    // Damaged, encrypted, or too slow: it gets a picture like any other document.
    if (signal?.aborted) return undefined;
  }
  const { drawFilePicture } = await import('./filePicture');
  const caption = shortName(file.name, 30);
  return named(await drawFilePicture(file, { size: Math.min(512, maxDimension), caption }), file);
}

/** The picture, or none when the file cannot be decoded: the reason is kept, to be told once the file is stored. */
async function keepingError(job: ThumbnailJob, making: Promise<File>): Promise<File | undefined> {
  try {
    return await making;
  } catch (error) {
    if (isUploadError(error) && error.kind !== 'aborted') job.error = error;
    return undefined;
  }
}

/** A picture named after its file and the type its bytes are (WebKit encodes PNG when asked for WebP). */
async function named(picture: Blob, file: File): Promise<File> {
  if (picture instanceof File) return picture;
  const type = (await (await import('./validate')).sniffBlobType(picture)) ?? picture.type;
  const base = file.name.replace(/\.[^.]*$/, '') || 'attachment';
  const extension = type === 'image/png' ? 'png' : type === 'image/webp' ? 'webp' : 'jpg';
  return new File([picture], `${base}-thumbnail.${extension}`, { type });
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
