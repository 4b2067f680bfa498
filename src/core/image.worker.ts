/**
 * The slow half of preparing an image: decoding it at about the size to send, drawing it at that size
 * and encoding it. It runs in a Web Worker (image.ts starts one) so that a large photo never stalls the
 * page; image.ts runs the same functions on the page when there is no worker.
 */

/** An image to scale down and encode: its bytes (or a bitmap decoded already) and what to make of it. */
export interface EncodeJob {
  /**
   * The file, decoded here at about the size sent, so that a large photo is never held at full size;
   * or a bitmap already decoded and upright (when its header did not tell its size).
   */
  source: Blob | ImageBitmap;
  /** Size sent, upright: never larger than the image. */
  width: number;
  height: number;
  /** A JPEG's stored size (before its EXIF orientation) and orientation, from its header. */
  jpeg?: { width: number; height: number; orientation: number };
  /** `image/png`, `image/jpeg` or `image/webp`; a browser that cannot encode it gives PNG. */
  type: string;
  /** 0 to 1, for JPEG and WebP. */
  quality: number;
}

/** `damaged`: the image itself cannot be decoded (another try elsewhere would fail the same way). */
export type EncodeAnswer = { blob: Blob } | { error: string; damaged?: boolean };

/** The name image.ts starts the worker with (shown in DevTools too). */
export const IMAGE_WORKER_NAME = 'react-thumbnail-uploader:image';

/** A decode failure of the image's own bytes. */
export class DamagedImageError extends Error {
  override readonly name = 'DamagedImageError';
}

type Decoded = ImageBitmap | VideoFrame;

/**
 * The image upright at about the size sent. A JPEG is decoded by WebCodecs' ImageDecoder at the
 * smallest of its DCT scales (1/8 … 8/8) that is still at least that size: a 48 MP photo becomes
 * 2000×1500 pixels straight from its bytes, several times faster and a tenth of the memory of a full
 * decode. Anything else, or where ImageDecoder is missing (Safari) or cannot say how it oriented the
 * picture, is decoded by createImageBitmap resizing as it decodes; its resize applies to the upright
 * picture, so `width` × `height` is asked as is.
 */
export async function decodeAtSize({ source, width, height, jpeg }: EncodeJob): Promise<Decoded> {
  if (!(source instanceof Blob)) return source;
  if (jpeg && typeof ImageDecoder === 'function') {
    const frame = await decodeJpegScaled(source, jpeg, Math.max(width, height)).catch(() => undefined);
    if (frame) return frame;
  }
  try {
    return await createImageBitmap(source, {
      imageOrientation: 'from-image',
      resizeWidth: width,
      resizeHeight: height,
      resizeQuality: 'high',
    });
  } catch (cause) {
    throw new DamagedImageError(String(cause), { cause });
  }
}

async function decodeJpegScaled(
  file: Blob,
  stored: NonNullable<EncodeJob['jpeg']>,
  longestSent: number,
): Promise<VideoFrame | undefined> {
  // Chromium picks the largest scale n/8 whose pixels fit in desiredWidth × desiredHeight: asking for
  // the size at n/8 (one pixel more against rounding) gives exactly that scale.
  const eighths = Math.min(8, Math.ceil((8 * longestSent) / Math.max(stored.width, stored.height)));
  const decoder = new ImageDecoder({
    data: file.stream(),
    type: 'image/jpeg',
    desiredWidth: Math.ceil((stored.width * eighths) / 8) + 1,
    desiredHeight: Math.ceil((stored.height * eighths) / 8) + 1,
  });
  try {
    const { image } = await decoder.decode();
    // The frame carries the EXIF orientation as `rotation` and `flip`, which drawImage applies; a
    // browser without them would draw the photo lying on its side.
    const oriented = stored.orientation === 1 || 'rotation' in image;
    const bigEnough = Math.max(image.displayWidth, image.displayHeight) >= longestSent;
    if (oriented && bigEnough) return image;
    image.close();
    return undefined;
  } finally {
    decoder.close();
  }
}

/** 'high' smoothing: the default 'low' aliases fine detail badly when scaling down. */
export function drawScaled(
  context: CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D,
  image: Decoded,
  { width, height }: EncodeJob,
): void {
  context.imageSmoothingEnabled = true;
  context.imageSmoothingQuality = 'high';
  context.drawImage(image, 0, 0, width, height);
  // The decoded pixels are not needed any more.
  image.close();
}

export async function encodeOffscreen(job: EncodeJob): Promise<Blob> {
  const image = await decodeAtSize(job);
  const canvas = new OffscreenCanvas(job.width, job.height);
  const context = canvas.getContext('2d');
  if (!context) {
    image.close();
    throw new Error('This browser has no 2D OffscreenCanvas.');
  }
  drawScaled(context, image, job);
  return canvas.convertToBlob({ type: job.type, quality: job.quality });
}

// The page imports this module too, for the functions above, and so may an app's own worker: only the
// worker image.ts starts answers jobs.
if (
  typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope === 'function' &&
  self.name === IMAGE_WORKER_NAME
) {
  globalThis.onmessage = async ({ data }: MessageEvent<EncodeJob>) => {
    let answer: EncodeAnswer;
    try {
      answer = { blob: await encodeOffscreen(data) };
    } catch (error) {
      answer = { error: String(error), damaged: error instanceof DamagedImageError };
    }
    globalThis.postMessage(answer);
  };
}
