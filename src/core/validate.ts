import { UploadError, detailedError, tooLargeError } from './errors';
import { prepareImage, type PrepareImageOptions } from './prepare';
import { SNIFF_BYTES, sniffImageType, type ImageType } from './sniff';

/**
 * An iPhone's photo and its kin: Safari alone decodes them (image.ts falls back on libheif elsewhere).
 * Here, not in sniff.ts, which every app loads first: this module and image.ts are loaded lazily.
 */
export const isHeif = (type: string | undefined): type is 'image/heic' | 'image/heif' =>
  type === 'image/heic' || type === 'image/heif';

/** Types known without reading: image.ts's own pictures, and the files it checked whole. */
const knownTypes = new WeakMap<Blob, ImageType>();

/** Notes a blob's type, read from its bytes already (a blob's bytes never change). */
export function knowType(blob: Blob, type: ImageType): void {
  knownTypes.set(blob, type);
}

/** The image type a blob's first bytes say it is, whatever its name or declared type claims. */
export async function sniffBlobType(blob: Blob): Promise<ImageType | undefined> {
  return knownTypes.get(blob) ?? sniffImageType(new Uint8Array(await blob.slice(0, SNIFF_BYTES).arrayBuffer()));
}

export interface FileRules {
  /** Largest image sent, in bytes: a larger photo is welcome if scaling it down brings it under. */
  maxSize: number;
  /** Largest file taken at all, before scaling down. */
  inputLimit: number;
}

function notAnImageError(name: string): UploadError {
  return detailedError('invalid-file', { reason: 'not-an-image', fileName: name });
}

/**
 * Checks a file before any byte is sent; resolves with its real type or rejects with an UploadError.
 * Loaded with the first file checked, like the image pipeline, so that it weighs nothing in an app's first load.
 */
export async function validateImage(file: File, rules: FileRules): Promise<ImageType> {
  if (file.size === 0) throw detailedError('invalid-file', { reason: 'empty', fileName: file.name });
  if (file.size > rules.inputLimit) throw tooLargeError(file.name, file.size, rules.inputLimit);
  const type = await sniffBlobType(file);
  if (!type) throw notAnImageError(file.name);
  // A GIF goes as it is (it may be animated): it must fit as chosen.
  if (type === 'image/gif' && file.size > rules.maxSize) throw tooLargeError(file.name, file.size, rules.maxSize);
  // Right bytes at the start prove little: prepareImage (image.ts) decodes the image, once, and refuses a truncated one.
  return type;
}

/**
 * The thumbnail widget's check of a chosen file, which gives the picture to preview and send: the file
 * itself, or the JPEG of a HEIC photo, made now since only Safari shows the photo. A file whose bytes
 * are no image is refused, unless the page set its own `accept`.
 */
export async function checkChosenImage(
  file: File,
  options: PrepareImageOptions & { accept?: object },
  signal: AbortSignal,
): Promise<File> {
  const type = await sniffBlobType(file);
  if (!type && !options.accept) throw notAnImageError(file.name);
  return isHeif(type) ? prepareImage(file, { ...options, signal }) : file;
}
