import { UploadError, abortedError, detailedError } from './errors';
import { DEFAULT_MAX_DIMENSION, DEFAULT_QUALITY } from './prepare';

export interface CaptureVideoFrameOptions {
  /** Longest side of the picture, in pixels (default 1024); a smaller video is never enlarged. */
  maxDimension?: number;
  /** JPEG quality, 0 to 1 (default 0.85). */
  quality?: number;
  signal?: AbortSignal;
  /** When to take the frame, in seconds (default: 1 s, or a tenth of a shorter video, 0 for a very short one). */
  atSeconds?: number;
  /** Told the video's length in seconds once it is known: it goes with the media as `qqduration`. */
  onDuration?: (seconds: number) => void;
}

/** Clips shorter than this have their first frame taken: a tenth of them may be past their only frames. */
const VERY_SHORT_SECONDS = 0.5;
/** A local file answers at once; a video that says nothing for this long is taken as unreadable. */
const STALL_MS = 30_000;

const unreadable = (cause?: unknown) => detailedError('invalid-file', { reason: 'video-unreadable' }, { cause });

/**
 * A picture of the video for its thumbnail: the frame at about 1 s (a tenth of a shorter video),
 * decoded by a `<video>` from a local object URL (never downloaded again, always revoked), scaled so
 * that its longest side is at most `maxDimension`, and encoded as a JPEG named after the video.
 * Rejects with an UploadError: `invalid-file` when the video cannot be decoded or has no picture,
 * `aborted` when the signal aborts.
 */
export async function captureVideoFrame(file: Blob, options: CaptureVideoFrameOptions = {}): Promise<File> {
  const { maxDimension = DEFAULT_MAX_DIMENSION, quality = DEFAULT_QUALITY, signal } = options;
  if (signal?.aborted) throw abortedError(signal.reason);
  const video = document.createElement('video');
  video.muted = true;
  video.playsInline = true;
  video.preload = 'auto';
  const url = URL.createObjectURL(file);
  try {
    const metadata = until(video, 'loadedmetadata', signal);
    video.src = url;
    await metadata;
    const duration = await durationOf(video, signal);
    options.onDuration?.(duration);
    const time = frameTime(duration, options.atSeconds);
    if (video.readyState < HTMLMediaElement.HAVE_CURRENT_DATA || video.currentTime !== time) {
      // Chromium may answer `seeked` before the frame there is ready to draw, and draws black (about
      // one capture in thirty here): it is drawn once presented too, where the browser says so.
      const presented =
        'requestVideoFrameCallback' in video
          ? new Promise<void>((resolve) => video.requestVideoFrameCallback(() => resolve()))
          : undefined;
      await seek(video, time, signal);
      if (presented) {
        let timer: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([presented, new Promise((done) => (timer = setTimeout(done, PRESENT_WAIT_MS)))]);
        clearTimeout(timer);
      }
    }
    // WebKit may answer `seeked` before the frame there is decoded, and draws black until it is.
    // No event is due when it is (`loadeddata` came once, before the seek): look again each frame, for a while.
    for (let tries = 0; video.readyState < HTMLMediaElement.HAVE_CURRENT_DATA && tries < 120; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 16));
      if (signal?.aborted) throw abortedError(signal.reason);
    }
    if (!video.videoWidth || !video.videoHeight) throw detailedError('invalid-file', { reason: 'no-picture' });
    const scale = Math.min(1, maxDimension / Math.max(video.videoWidth, video.videoHeight));
    const width = Math.max(1, Math.round(video.videoWidth * scale));
    const height = Math.max(1, Math.round(video.videoHeight * scale));
    const blob = await encodeFrame(video, width, height, quality);
    if (signal?.aborted) throw abortedError(signal.reason);
    return new File([blob], `${baseName(file)}.jpg`, { type: 'image/jpeg' });
  } finally {
    URL.revokeObjectURL(url);
    // Lets the browser free the decoder now rather than when the element is collected.
    video.removeAttribute('src');
    video.load();
  }
}

/**
 * The video's length in seconds. A recording made by MediaRecorder has none in its header (Infinity):
 * seeking far past its end makes the browser find it.
 */
async function durationOf(video: HTMLVideoElement, signal: AbortSignal | undefined): Promise<number> {
  if (Number.isFinite(video.duration)) return video.duration;
  await seek(video, Number.MAX_SAFE_INTEGER, signal);
  return Number.isFinite(video.duration) ? video.duration : 0;
}

/** How often a seek that never began is asked again, and how many times. */
const SEEK_AGAIN_MS = 500;
const SEEK_TRIES = 6;
/** How long a seeked frame may take to be presented; a browser that never says so costs this, not more. */
const PRESENT_WAIT_MS = 250;

/**
 * Seeks, and resolves once there. Firefox ESR drops a seek asked between `loadedmetadata` and
 * `loadeddata` now and then (no `seeking` event ever follows, about one capture in ten here): one that
 * has not begun is asked again.
 */
async function seek(video: HTMLVideoElement, time: number, signal: AbortSignal | undefined): Promise<void> {
  const seeked = until(video, 'seeked', signal);
  let tries = 1;
  const again = setInterval(() => {
    if (!video.seeking && tries++ < SEEK_TRIES) video.currentTime = time;
  }, SEEK_AGAIN_MS);
  video.currentTime = time;
  try {
    await seeked;
  } finally {
    clearInterval(again);
  }
}

function frameTime(duration: number, atSeconds: number | undefined): number {
  // Clamped below the very end, where a browser may have no frame to show.
  const last = Math.max(0, duration - 0.001);
  if (atSeconds !== undefined) return Math.min(Math.max(0, atSeconds), last);
  if (duration < VERY_SHORT_SECONDS) return 0;
  return Math.min(1, duration / 10, last);
}

async function encodeFrame(video: HTMLVideoElement, width: number, height: number, quality: number): Promise<Blob> {
  const canvas =
    typeof OffscreenCanvas === 'function'
      ? new OffscreenCanvas(width, height)
      : Object.assign(document.createElement('canvas'), { width, height });
  const context = canvas.getContext('2d') as CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D | null;
  if (!context) throw detailedError('invalid-file', { reason: 'no-picture' });
  context.imageSmoothingEnabled = true;
  context.imageSmoothingQuality = 'high';
  context.drawImage(video, 0, 0, width, height);
  if (canvas instanceof HTMLCanvasElement) {
    return new Promise((resolve, reject) =>
      canvas.toBlob((blob) => (blob ? resolve(blob) : reject(unreadable())), 'image/jpeg', quality),
    );
  }
  return canvas.convertToBlob({ type: 'image/jpeg', quality });
}

/** Resolves on the video's `type` event; rejects on its error, when it stalls, or when the signal aborts. */
function until(video: HTMLVideoElement, type: string, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(unreadable()), STALL_MS);
    const done = (error?: UploadError) => {
      clearTimeout(timer);
      video.removeEventListener(type, onEvent);
      video.removeEventListener('error', onError);
      signal?.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else resolve();
    };
    const onEvent = () => done();
    const onError = () => done(unreadable(video.error));
    const onAbort = () => done(abortedError(signal?.reason));
    video.addEventListener(type, onEvent);
    video.addEventListener('error', onError);
    signal?.addEventListener('abort', onAbort);
  });
}

function baseName(file: Blob): string {
  const name = file instanceof File ? file.name : '';
  const dot = name.lastIndexOf('.');
  return (dot > 0 ? name.slice(0, dot) : name) || 'video';
}
