import { detailedError, toUploadError } from './errors';
import { md5Hex } from './md5';
import { DEFAULT_FIELD_PREFIX, buildMediaForm, uploadUrl, type MediaResult } from './protocol';
import { badResponse, isFilled, isSafeFileUrl, postWithRetry, type RequestOptions } from './request';
import type { UploadProgress } from './send';
import type { UploadStep } from './uploader';

/** Size of each part of a chunked upload by default: 5 MiB. */
export const DEFAULT_CHUNK_SIZE = 5 * 1024 * 1024;

/**
 * Where a chunked upload stands after a finished part: enough to resume it from `nextPart`, with the
 * same file, without sending the finished parts again. Plain JSON, so it may be kept in storage.
 */
export interface ChunkCheckpoint {
  /** The `file_uuid` the server answered to part 0. */
  fileUuid: string;
  /** The first part not yet sent (equal to `totalParts` once only the done call is left). */
  nextPart: number;
  totalParts: number;
  chunkSize: number;
  /** Size, name and last change of the file being sent: a resume with another file is refused. */
  fileSize: number;
  fileName: string;
  fileLastModified: number;
  /** The MD5 of parts `0 .. hashedParts - 1`, as the hasher's saved state (hash-wasm `save()`), in base64. */
  md5State: string;
  /** How many parts `md5State` has hashed, from part 0: they are hashed apart from their sending (default `nextPart`). */
  hashedParts?: number;
  /** Parts after `nextPart` already stored, sent out of order (`partConcurrency` above 1). */
  storedParts?: number[];
}

/** What uploadMedia needs: the file, how to cut it, and how to reach and retry the server. */
export interface UploadMediaOptions extends RequestOptions {
  /** Origin (and path prefix) of the API; the endpoint is `${baseUrl}/api/v2/pm/upload/`. */
  baseUrl: string;
  /** The media to send; any kind of file. */
  file: File;
  /** Prefix of the form's field names: `'qq'` (default) or `''` for the newer API. */
  fieldPrefix?: string;
  /** Bytes per part of a chunked upload (default 5 MiB; a whole number, else a RangeError); a resumed upload keeps the checkpoint's. */
  chunkSize?: number;
  /** Files larger than this go in chunks, smaller ones in one request (default: `chunkSize`). */
  chunkThreshold?: number;
  /**
   * Parts in flight at once after part 0 (default 1: in series, as the platform's own client sends
   * them). Above 1, parts may reach the server out of order: raise it only for a server that places
   * each part at its `partbyteoffset`, as the reference server does.
   */
  partConcurrency?: number;
  /**
   * Length of an audio or video, in whole seconds, sent as `qqduration` with a single-request
   * upload; the chunked calls of the protocol have no such field.
   */
  duration?: number;
  /** Progress over the whole file, in its bytes: never goes back, ends at `total`. */
  onProgress?: (progress: UploadProgress) => void;
  /** Told what is sent next: the media in one request, or part `index` of `count` (an attachment adds its thumbnail). */
  onStep?: (step: UploadStep) => void;
  /** Called after every finished part of a chunked upload, with what a resume needs. */
  onCheckpoint?: (checkpoint: ChunkCheckpoint) => void;
  /** Continues a paused chunked upload of the same file from `resume.nextPart`. */
  resume?: ChunkCheckpoint;
  /**
   * Keeps each part's checkpoint in the browser's IndexedDB for `maxAgeMs` (default 24 h, as long as
   * the reference server keeps parts), so that the same file (same name, size, type, last change and
   * first and last 64 KiB) sent again to the same endpoint after a reload goes on from its next part:
   * its first part's step says so (`resumedAt`). A saved upload the server no longer knows starts over
   * from part 0 once (`restarted`). The record goes when the media is stored. Without IndexedDB,
   * nothing is kept, silently. `false`: nothing is saved or looked up.
   */
  resumeAfterReload?: false | { maxAgeMs?: number };
}

/**
 * Uploads a media and resolves with the server's checked `{ file_url, file_uuid }`. A file over
 * `chunkThreshold` goes in parts (in series, or `partConcurrency` at once after part 0), each
 * retried alone, then the `?done` call with the MD5 of the whole file. Aborting the signal rejects
 * with an `aborted` UploadError; the last checkpoint then resumes the upload (`resume`) without
 * sending its finished parts again.
 */
export async function uploadMedia(options: UploadMediaOptions): Promise<MediaResult> {
  const chunkSize = chunkSizeOf(options);
  for (const [name, value] of Object.entries({ chunkSize, partConcurrency: options.partConcurrency ?? 1 })) {
    if (!Number.isInteger(value) || value < 1)
      throw new RangeError(`${name} must be a whole number above 0, not ${value}.`);
  }
  const { file, signal } = options;
  try {
    if (file.size === 0) throw detailedError('invalid-file', { reason: 'empty', fileName: file.name });
    // The parts' sender is loaded only for a file large enough to be sent in parts.
    return await (sendsInChunks(options)
      ? (await import('./chunks')).uploadInChunks(options, chunkSize)
      : uploadWhole(options));
  } catch (error) {
    throw toUploadError(error, signal);
  }
}

type ChunkChoice = Pick<UploadMediaOptions, 'file' | 'chunkSize' | 'chunkThreshold' | 'resume'>;

function chunkSizeOf(options: ChunkChoice): number {
  return options.resume?.chunkSize ?? options.chunkSize ?? DEFAULT_CHUNK_SIZE;
}

/** Whether uploadMedia sends this file in parts (which can be paused) or in one request. */
export function sendsInChunks(options: ChunkChoice): boolean {
  return options.resume !== undefined || options.file.size > (options.chunkThreshold ?? chunkSizeOf(options));
}

async function uploadWhole(options: UploadMediaOptions): Promise<MediaResult> {
  const { file, fieldPrefix = DEFAULT_FIELD_PREFIX } = options;
  const progress = progressOverFile(file.size, options.onProgress);
  options.onStep?.({ name: 'media' });
  const md5 = await md5Hex(file, options.signal);
  const body = buildMediaForm({ file, fileName: mediaName(file), md5, duration: options.duration }, fieldPrefix);
  // The request also carries the multipart framing: its progress is scaled to the file's bytes.
  const onProgress = ({ loaded, total }: UploadProgress) => progress((file.size * loaded) / total);
  const result = readMediaResult(await postWithRetry({ url: uploadUrl(options.baseUrl), body, onProgress }, options));
  progress(file.size);
  return result;
}

/** The name sent: the done call requires one, and a pasted blob may have none. */
export function mediaName(file: File): string {
  return file.name || 'media';
}

/** Reports bytes of the file sent so far, never going back (a retried part starts again from its beginning). */
export function progressOverFile(total: number, onProgress: ((progress: UploadProgress) => void) | undefined) {
  let reported = -1;
  return (loaded: number) => {
    const bytes = Math.min(total, Math.round(loaded));
    if (!onProgress || bytes <= reported) return;
    reported = bytes;
    onProgress({ loaded: bytes, total });
  };
}

export function readMediaResult(answer: Record<string, unknown>): MediaResult {
  const { file_url, file_uuid } = answer;
  if (!isFilled(file_url) || !isFilled(file_uuid)) throw badResponse('missing-fields');
  if (!isSafeFileUrl(file_url)) throw badResponse('unsafe-url');
  return { file_url, file_uuid };
}
