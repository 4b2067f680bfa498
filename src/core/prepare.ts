export const DEFAULT_MAX_DIMENSION = 1024;
export const DEFAULT_QUALITY = 0.85;

export interface PrepareImageOptions {
  /** Longest side sent, in pixels (default 1024); smaller images are never enlarged. */
  maxDimension?: number;
  /** JPEG and WebP quality, 0 to 1 (default 0.85). */
  quality?: number;
  signal?: AbortSignal;
}

/**
 * The image as it should be sent: upright, at most `maxDimension` on its longest side, or the very
 * same File when nothing needs doing (see image.ts). The pipeline and its worker are loaded the first
 * time an image is prepared, so that they weigh nothing in an app's first load.
 */
export async function prepareImage(file: File, options?: PrepareImageOptions): Promise<File> {
  return (await import('./image')).prepareImage(file, options);
}
