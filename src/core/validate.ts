import { IMAGE_TYPES_SENTENCE, UploadError, formatBytes } from './errors';

/** Signatures of the image formats a thumbnail may be; `undefined` bytes match anything. */
const SIGNATURES: ReadonlyArray<{ type: string; bytes: ReadonlyArray<number | undefined> }> = [
  { type: 'image/png', bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
  { type: 'image/jpeg', bytes: [0xff, 0xd8, 0xff] },
  { type: 'image/gif', bytes: [0x47, 0x49, 0x46, 0x38] },
  { type: 'image/webp', bytes: [0x52, 0x49, 0x46, 0x46, , , , , 0x57, 0x45, 0x42, 0x50] },
  { type: 'image/avif', bytes: [, , , , 0x66, 0x74, 0x79, 0x70, 0x61, 0x76, 0x69] },
  { type: 'image/bmp', bytes: [0x42, 0x4d] },
];

/** The image type a blob's first bytes say it is, whatever its name or declared type claims. */
export async function sniffImageType(blob: Blob): Promise<string | undefined> {
  const head = new Uint8Array(await blob.slice(0, 16).arrayBuffer());
  return SIGNATURES.find(({ bytes }) => bytes.every((byte, i) => byte === undefined || head[i] === byte))?.type;
}

export interface FileRules {
  /** Largest file accepted, in bytes. */
  maxSize: number;
}

/** Checks a file before any byte is sent; resolves with its real type or rejects with an UploadError. */
export async function validateImage(file: Blob, rules: FileRules): Promise<string> {
  if (file.size === 0) throw new UploadError('invalid-file', 'This file is empty. Choose an image that has content.');
  if (file.size > rules.maxSize) {
    throw new UploadError('too-large', `This image is ${formatBytes(file.size)}; the limit is ${formatBytes(rules.maxSize)}. Choose a smaller image.`);
  }
  const type = await sniffImageType(file);
  if (!type) throw new UploadError('invalid-file', `This file is not an image we can use. ${IMAGE_TYPES_SENTENCE}`);
  return type;
}
