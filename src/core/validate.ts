import { IMAGE_TYPES_SENTENCE, UploadError, tooLargeError } from './errors';
import { SNIFF_BYTES, sniffImageType, type ImageType } from './sniff';

/** The image type a blob's first bytes say it is, whatever its name or declared type claims. */
export async function sniffBlobType(blob: Blob): Promise<ImageType | undefined> {
  return sniffImageType(new Uint8Array(await blob.slice(0, SNIFF_BYTES).arrayBuffer()));
}

export interface FileRules {
  /** Largest file accepted, in bytes. */
  maxSize: number;
}

/** Checks a file before any byte is sent; resolves with its real type or rejects with an UploadError. */
export function notAnImageError(name: string): UploadError {
  return new UploadError('invalid-file', `${name || 'This file'} is not an image we can use. ${IMAGE_TYPES_SENTENCE}`);
}

export async function validateImage(file: File, rules: FileRules): Promise<ImageType> {
  if (file.size === 0) throw new UploadError('invalid-file', 'This file is empty. Choose an image that has content.');
  if (file.size > rules.maxSize) throw tooLargeError('This image', file.size, rules.maxSize);
  const type = await sniffBlobType(file);
  if (!type) throw notAnImageError(file.name);
  // Right bytes at the start prove little: prepareImage (image.ts) decodes the image, once, and refuses a truncated one.
  return type;
}
