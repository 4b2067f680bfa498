import { detailedError, toUploadError, tooLargeError } from './errors';
import { prepareImage } from './prepare';
import { md5Hex } from './md5';
import { DEFAULT_FIELD_PREFIX, buildThumbnailForm, uploadUrl, type ThumbnailResult } from './protocol';
import { badResponse, isFilled, isSafeFileUrl, postWithRetry, type RequestOptions } from './request';
import type { UploadProgress } from './send';

export { isSafeFileUrl } from './request';
export type { TokenSource } from './request';

/** Largest thumbnail sent by default, in bytes (10 MiB). */
export const DEFAULT_MAX_SIZE = 10 * 1024 * 1024;

/** Phone photos far above maxSize are welcome, since they are scaled down; past this, decoding them is not. */
const MAX_INPUT_SIZE = 200 * 1024 * 1024;

/** The largest file a person may choose when at most `maxSize` bytes may be sent. */
export function inputLimit(maxSize: number): number {
  return Math.max(maxSize, MAX_INPUT_SIZE);
}

/** What uploadThumbnail needs: the image, its media, and how to reach and retry the server. */
export interface UploadThumbnailOptions extends RequestOptions {
  /** Origin (and path prefix) of the API; the endpoint is `${baseUrl}/api/v2/pm/upload/`. */
  baseUrl: string;
  /** The image to send. */
  file: File;
  /** `file_uuid` of the media this thumbnail belongs to. */
  parentUuid: string;
  /** Prefix of the form's field names: `'qq'` (default) or `''` for the newer API. */
  fieldPrefix?: string;
  /** Largest image sent, in bytes (default 10 MiB): a larger photo is taken if scaling it down brings it under. */
  maxSize?: number;
  /** Longest side sent, in pixels (default 1024): larger images are scaled down; smaller ones and GIFs go as they are. */
  maxDimension?: number;
  /** JPEG and WebP quality of a scaled-down image, 0 to 1 (default 0.85). */
  quality?: number;
  /** `false`: a HEIC photo the browser cannot decode (all but Safari) is refused (`heic-unsupported`), not decoded by libheif (LGPL-3.0, loaded lazily). */
  heic?: false;
  /** Progress of the request body, multipart framing included. */
  onProgress?: (progress: UploadProgress) => void;
}

/** Checks, prepares, hashes and posts one thumbnail, retrying what may pass next time; resolves with the server's checked answer. */
export async function uploadThumbnail(options: UploadThumbnailOptions): Promise<ThumbnailResult> {
  const { baseUrl, file, parentUuid, fieldPrefix = DEFAULT_FIELD_PREFIX, maxSize = DEFAULT_MAX_SIZE, signal } = options;
  if (!parentUuid) throw detailedError('rejected', { reason: 'no-parent' });
  try {
    const { validateImage } = await import('./validate');
    const type = await validateImage(file, { maxSize, inputLimit: inputLimit(maxSize) });
    // The declared type is corrected to what the bytes really are.
    const typed = type === file.type ? file : new File([file], file.name, { type, lastModified: file.lastModified });
    // Decoded (a damaged image stops here), turned upright and scaled down before hashing: the MD5, size,
    // type and name sent all describe these bytes.
    const sent = await prepareImage(typed, options);
    if (sent.size > maxSize) throw tooLargeError(file.name, sent.size, maxSize);
    // Hashed once: every retry sends the same bytes with the same MD5.
    const md5 = await md5Hex(sent, signal);
    const body = buildThumbnailForm({ file: sent, fileName: sent.name || 'thumbnail', parentUuid, md5 }, fieldPrefix);
    const answer = await postWithRetry({ url: uploadUrl(baseUrl), body, onProgress: options.onProgress }, options);
    return readThumbnailResult(answer, parentUuid);
  } catch (error) {
    throw toUploadError(error, signal);
  }
}

function readThumbnailResult(answer: Record<string, unknown>, parentUuid: string): ThumbnailResult {
  const { file_url, file_uuid, parent_file_uuid } = answer;
  if (!isFilled(file_url) || !isFilled(file_uuid) || !isFilled(parent_file_uuid)) throw badResponse('missing-fields');
  if (!isSafeFileUrl(file_url)) throw badResponse('unsafe-url');
  if (parent_file_uuid !== parentUuid) throw badResponse('wrong-parent');
  return { file_url, file_uuid, parent_file_uuid };
}
