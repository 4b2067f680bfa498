/**
 * The slow half of preparing an image: drawing a decoded bitmap at the size to send and encoding it.
 * It runs in a Web Worker (image.ts starts one) so that a large photo never stalls the page; image.ts
 * runs the same functions on the page when there is no worker.
 */

/** A decoded image, already upright, and what to make of it. */
export interface EncodeJob {
  bitmap: ImageBitmap;
  width: number;
  height: number;
  /** `image/png`, `image/jpeg` or `image/webp`; a browser that cannot encode it gives PNG. */
  type: string;
  /** 0 to 1, for JPEG and WebP. */
  quality: number;
}

export type EncodeAnswer = { blob: Blob } | { error: string };

/** The name image.ts starts the worker with (shown in DevTools too). */
export const IMAGE_WORKER_NAME = 'react-thumbnail-uploader:image';

/**
 * 'high' smoothing: in Chromium it gives the same pixels, as fast, as createImageBitmap's resizeQuality
 * 'high', with one step less and on every canvas; the default 'low' aliases fine detail badly.
 */
export function drawScaled(
  context: CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D,
  { bitmap, width, height }: EncodeJob,
): void {
  context.imageSmoothingEnabled = true;
  context.imageSmoothingQuality = 'high';
  context.drawImage(bitmap, 0, 0, width, height);
  // The full-size pixels (up to a hundred megabytes for a large photo) are not needed any more.
  bitmap.close();
}

export async function encodeOffscreen(job: EncodeJob): Promise<Blob> {
  const canvas = new OffscreenCanvas(job.width, job.height);
  const context = canvas.getContext('2d');
  if (!context) throw new Error('This browser has no 2D OffscreenCanvas.');
  drawScaled(context, job);
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
      answer = { error: String(error) };
    }
    globalThis.postMessage(answer);
  };
}
