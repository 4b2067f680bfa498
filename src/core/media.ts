import { detailedError, toUploadError } from './errors';
import { md5Hex } from './md5';
import {
  DEFAULT_FIELD_PREFIX,
  buildChunkDoneForm,
  buildChunkForm,
  buildMediaForm,
  uploadUrl,
  type MediaResult,
} from './protocol';
import {
  badResponse,
  isFilled,
  isSafeFileUrl,
  keepingRefreshedToken,
  postWithRetry,
  type RequestOptions,
} from './request';
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
  /** The MD5 of the finished parts, as the hasher's saved state (hash-wasm `save()`), in base64. */
  md5State: string;
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
}

/**
 * Uploads a media and resolves with the server's checked `{ file_url, file_uuid }`. A file over
 * `chunkThreshold` goes in parts, in series, each retried alone, then the `?done` call with the
 * MD5 of the whole file. Aborting the signal rejects with an `aborted` UploadError; the last
 * checkpoint then resumes the upload (`resume`) without sending its finished parts again.
 */
export async function uploadMedia(options: UploadMediaOptions): Promise<MediaResult> {
  const chunkSize = chunkSizeOf(options);
  if (!Number.isInteger(chunkSize) || chunkSize < 1) {
    throw new RangeError(`chunkSize must be a whole number of bytes above 0, not ${chunkSize}.`);
  }
  const { file, signal } = options;
  try {
    if (file.size === 0) throw detailedError('invalid-file', { reason: 'empty', fileName: file.name });
    return await (sendsInChunks(options) ? uploadInChunks(options, chunkSize) : uploadWhole(options));
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

async function uploadInChunks(options: UploadMediaOptions, chunkSize: number): Promise<MediaResult> {
  const { file, resume, signal, fieldPrefix = DEFAULT_FIELD_PREFIX } = options;
  const totalParts = Math.ceil(file.size / chunkSize);
  const fileName = mediaName(file);
  // A fixed token refreshed once serves the parts after it too.
  const request = keepingRefreshedToken(options);
  const progress = progressOverFile(file.size, options.onProgress);
  // Loaded when first needed, as md5.ts loads it, so that it weighs nothing in an app's first load.
  const { createMD5 } = await import('./hashWasmMd5');
  const hasher = await createMD5();
  let fileUuid = resume?.fileUuid;
  if (resume) {
    const fits =
      resume.fileSize === file.size &&
      resume.fileName === file.name &&
      resume.fileLastModified === file.lastModified &&
      resume.totalParts === totalParts;
    const inRange = Number.isInteger(resume.nextPart) && resume.nextPart >= 1 && resume.nextPart <= totalParts;
    if (!fits || !inRange || !loadHasherState(hasher, resume)) {
      throw detailedError('invalid-file', { reason: 'not-resumable' });
    }
    progress(resume.nextPart * chunkSize);
  }

  for (let part = resume?.nextPart ?? 0; part < totalParts; part += 1) {
    signal?.throwIfAborted();
    options.onStep?.({ name: 'part', index: part, count: totalParts });
    const start = part * chunkSize;
    const chunk = file.slice(start, Math.min(start + chunkSize, file.size), file.type);
    // Hashed as it is read, one part at a time, so the whole file is never in memory; a retry of
    // the part sends the same bytes without hashing them again.
    hasher.update(new Uint8Array(await chunk.arrayBuffer()));
    const body = buildChunkForm(
      {
        chunk,
        partIndex: part,
        totalParts,
        fileUuid,
        byteOffset: start,
        fileName,
        fileType: file.type,
        totalFileSize: file.size,
      },
      fieldPrefix,
    );
    const onProgress = ({ loaded, total }: UploadProgress) => progress(start + (chunk.size * loaded) / total);
    fileUuid = readPartAnswer(
      await postWithRetry({ url: uploadUrl(options.baseUrl), body, onProgress }, request),
      fileUuid,
    );
    progress(start + chunk.size);
    options.onCheckpoint?.({
      fileUuid,
      nextPart: part + 1,
      totalParts,
      chunkSize,
      fileSize: file.size,
      fileName: file.name,
      fileLastModified: file.lastModified,
      md5State: toBase64(hasher.save()),
    });
  }

  signal?.throwIfAborted();
  const body = buildChunkDoneForm(
    {
      // Set by part 0 or by the checkpoint: a file has at least one part.
      fileUuid: fileUuid ?? '',
      fileName,
      fileType: file.type,
      totalParts,
      totalFileSize: file.size,
      md5: hasher.digest('hex'),
    },
    fieldPrefix,
  );
  return readMediaResult(await postWithRetry({ url: uploadUrl(options.baseUrl, '?done'), body }, request));
}

/** The name sent: the done call requires one, and a pasted blob may have none. */
function mediaName(file: File): string {
  return file.name || 'media';
}

/** Restores the MD5 of the finished parts; false when the checkpoint's state is not one. */
function loadHasherState(hasher: { load: (state: Uint8Array) => unknown }, checkpoint: ChunkCheckpoint): boolean {
  try {
    hasher.load(Uint8Array.from(atob(checkpoint.md5State), (char) => char.charCodeAt(0)));
    return true;
  } catch {
    return false;
  }
}

function toBase64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes));
}

/** Reports bytes of the file sent so far, never going back (a retried part starts again from its beginning). */
function progressOverFile(total: number, onProgress: ((progress: UploadProgress) => void) | undefined) {
  let reported = -1;
  return (loaded: number) => {
    const bytes = Math.min(total, Math.round(loaded));
    if (!onProgress || bytes <= reported) return;
    reported = bytes;
    onProgress({ loaded: bytes, total });
  };
}

/** The upload's uuid from a part's answer: part 0 tells it, every later part must answer the same. */
function readPartAnswer(answer: Record<string, unknown>, expected: string | undefined): string {
  const { file_uuid } = answer;
  if (!isFilled(file_uuid)) throw badResponse('missing-fields');
  if (expected !== undefined && file_uuid !== expected) throw badResponse('wrong-parent');
  return file_uuid;
}

function readMediaResult(answer: Record<string, unknown>): MediaResult {
  const { file_url, file_uuid } = answer;
  if (!isFilled(file_url) || !isFilled(file_uuid)) throw badResponse('missing-fields');
  if (!isSafeFileUrl(file_url)) throw badResponse('unsafe-url');
  return { file_url, file_uuid };
}
