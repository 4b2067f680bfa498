/**
 * The thumbnail makers of attachment.ts, loaded with the first thumbnail made: an image scaled, a
 * video's frame, a PDF's first page, a generated picture for the rest.
 */
import { isUploadError } from './errors';
import type { ThumbnailJob, ThumbnailOfOptions } from './attachment';
import { DEFAULT_MAX_DIMENSION, DEFAULT_QUALITY, prepareImage } from './prepare';

/** `caption`: the name the generated picture shows (shortened by attachment.ts, whose bundle has shortName already). */
export async function makePicture(
  file: File,
  options: ThumbnailOfOptions,
  job: ThumbnailJob,
  caption: string,
): Promise<File | undefined> {
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
