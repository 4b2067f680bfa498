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
  const { file, resume, fieldPrefix = DEFAULT_FIELD_PREFIX, partConcurrency = 1 } = options;
  const totalParts = Math.ceil(file.size / chunkSize);
  const fileName = mediaName(file);
  const partSize = (part: number) => Math.min(chunkSize, file.size - part * chunkSize);
  const url = uploadUrl(options.baseUrl);
  // A fixed token refreshed once serves the parts after it too.
  const series = keepingRefreshedToken(options);
  // One failed part stops its siblings in flight.
  const stop = new AbortController();
  const request = { ...series, signal: stop.signal };
  const progress = progressOverFile(file.size, options.onProgress);
  // Loaded when first needed, as md5.ts loads it, so that it weighs nothing in an app's first load.
  const { createMD5 } = await import('./hashWasmMd5');
  const hasher = await createMD5();
  let fileUuid = resume?.fileUuid;
  let nextPart = resume?.nextPart ?? 0;
  let hashed = resume?.hashedParts ?? nextPart;
  const stored = new Set(resume?.storedParts);
  if (resume) {
    const fits =
      resume.fileSize === file.size &&
      resume.fileName === file.name &&
      resume.fileLastModified === file.lastModified &&
      resume.totalParts === totalParts;
    const inRange = (part: number, from: number, to: number) => Number.isInteger(part) && part >= from && part <= to;
    const partsInRange =
      inRange(nextPart, 1, totalParts) &&
      inRange(hashed, 0, totalParts) &&
      [...stored].every((part) => inRange(part, nextPart + 1, totalParts - 1));
    if (!fits || !partsInRange || !loadHasherState(hasher, resume)) {
      throw detailedError('invalid-file', { reason: 'not-resumable' });
    }
  }

  let hashing = Promise.resolve();
  /** Hashes, in file order, every part up to `part`: parts may be sent out of order, never hashed so. */
  const hashThrough = (part: number) => {
    hashing = hashing.then(async () => {
      for (; hashed <= part; hashed += 1) {
        const start = hashed * chunkSize;
        hasher.update(new Uint8Array(await file.slice(start, start + partSize(hashed)).arrayBuffer()));
      }
    });
    // Awaited by the part that needs it; one read ahead that fails must not be reported as unhandled.
    hashing.catch(() => undefined);
    return hashing;
  };

  const sending = new Map<number, number>();
  let storedBytes = 0;
  for (let part = 0; part < totalParts; part += 1)
    if (part < nextPart || stored.has(part)) storedBytes += partSize(part);
  const report = () => progress([...sending.values()].reduce((sum, bytes) => sum + bytes, storedBytes));
  if (resume) report();

  const sendPart = async (part: number) => {
    options.onStep?.({ name: 'part', index: part, count: totalParts });
    const start = part * chunkSize;
    // A slice of the file, not a copy: the browser reads it from the disk as the request goes.
    const chunk = file.slice(start, start + partSize(part), file.type);
    const form = { chunk, partIndex: part, totalParts, fileUuid, byteOffset: start, fileName, fileType: file.type };
    const onProgress = ({ loaded, total }: UploadProgress) => {
      sending.set(part, (chunk.size * loaded) / total);
      report();
    };
    const answer = await postWithRetry(
      { url, body: buildChunkForm({ ...form, totalFileSize: file.size }, fieldPrefix), onProgress },
      request,
    );
    fileUuid = readPartAnswer(answer, fileUuid);
    sending.delete(part);
    storedBytes += chunk.size;
    stored.add(part);
    report();
    // The checkpoint moves past the parts stored in a row; the parts stored after a gap are listed.
    for (; stored.delete(nextPart); nextPart += 1);
    options.onCheckpoint?.({
      fileUuid,
      nextPart,
      totalParts,
      chunkSize,
      fileSize: file.size,
      fileName: file.name,
      fileLastModified: file.lastModified,
      md5State: toBase64(hasher.save()),
      hashedParts: hashed,
      ...(stored.size && { storedParts: [...stored].sort((a, b) => a - b) }),
    });
  };

  const inFlight = new Set<Promise<void>>();
  const { signal } = options;
  const onAbort = () => stop.abort(signal?.reason);
  if (signal?.aborted) onAbort();
  signal?.addEventListener('abort', onAbort);
  try {
    for (let part = nextPart; part < totalParts; part += 1) {
      if (stored.has(part)) continue;
      // Hashed before it goes, so that its checkpoint has the MD5 state; the next part is read and
      // hashed while this one is on the wire.
      await hashThrough(part);
      if (part + 1 < totalParts) void hashThrough(part + 1);
      stop.signal.throwIfAborted();
      const sent = sendPart(part);
      // Part 0 goes alone: its answer names the uuid every later part carries.
      if (fileUuid === undefined) await sent;
      else {
        inFlight.add(sent);
        void sent.then(
          () => inFlight.delete(sent),
          () => undefined,
        );
        while (inFlight.size >= partConcurrency) await Promise.race(inFlight);
      }
    }
    await Promise.all(inFlight);
    await hashThrough(totalParts - 1);
  } finally {
    stop.abort();
    signal?.removeEventListener('abort', onAbort);
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
  return readMediaResult(await postWithRetry({ url: uploadUrl(options.baseUrl, '?done'), body }, series));
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
