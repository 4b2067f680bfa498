export const DEFAULT_MAX_DIMENSION = 1024;
export const DEFAULT_QUALITY = 0.85;

export interface PrepareImageOptions {
  /** Longest side sent, in pixels (default 1024); smaller images are never enlarged. */
  maxDimension?: number;
  /** JPEG and WebP quality, 0 to 1 (default 0.85). */
  quality?: number;
  /**
   * `false`: a HEIC/HEIF photo that the browser cannot decode itself (only Safari can) is refused
   * (reason `heic-unsupported`) instead of decoded by libheif (LGPL-3.0, WebAssembly, about 0.7 MB
   * gzipped, loaded only when such a photo is chosen). Its thumbnail is sent as a JPEG.
   */
  heic?: false;
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
