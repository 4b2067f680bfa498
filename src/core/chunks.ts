/**
 * The chunked sender of uploadMedia (media.ts), loaded only for a file sent in parts: part 0 alone,
 * then up to `partConcurrency` parts at once, each read and hashed (in file order) while the one
 * before it is on the wire, then the `?done` call with the MD5 of the whole file.
 */
import { detailedError, isUploadError } from './errors';
import { DEFAULT_FIELD_PREFIX, buildChunkDoneForm, buildChunkForm, uploadUrl, type MediaResult } from './protocol';
import { badResponse, isFilled, keepingRefreshedToken, postWithRetry } from './request';
import { hasStorage, loadCheckpoint, removeCheckpoint, saveCheckpoint, uploadKey } from './resumeStore';
import type { UploadProgress } from './send';
import type { UploadStep } from './uploader';
import { mediaName, progressOverFile, readMediaResult, type ChunkCheckpoint, type UploadMediaOptions } from './media';

/**
 * Sends a file in parts, each part's checkpoint saved in IndexedDB (`resumeAfterReload`): a file
 * chosen again after a reload goes on from the saved upload's next part. When the server no longer
 * knows that upload (a 4xx on its uuid), the file starts over from part 0, once. The record goes
 * once the media is stored; a pause or a failure keeps it for the next try.
 */
export async function uploadInChunks(options: UploadMediaOptions, chunkSize: number): Promise<MediaResult> {
  const { resumeAfterReload = {} } = options;
  if (resumeAfterReload === false || !hasStorage()) return sendParts(options, chunkSize);
  const key = await uploadKey(options.file, targetOf(options));
  // A checkpoint given (a pause in this page) is the truth; else the one saved before a reload, if it fits.
  const loaded = options.resume ? undefined : await loadCheckpoint(key, resumeAfterReload.maxAgeMs);
  const saved = loaded && Number.isInteger(loaded.chunkSize) && loaded.chunkSize > 0 ? loaded : undefined;
  const saving: UploadMediaOptions = {
    ...options,
    onCheckpoint: (checkpoint) => {
      void saveCheckpoint(key, checkpoint, resumeAfterReload.maxAgeMs);
      options.onCheckpoint?.(checkpoint);
    },
  };
  let result: MediaResult;
  try {
    result = saved
      ? await sendParts({ ...saving, resume: saved }, saved.chunkSize, 'resumed')
      : await sendParts(saving, chunkSize);
  } catch (error) {
    if (!saved || options.signal?.aborted || !forgotten(error)) throw error;
    await removeCheckpoint(key);
    result = await sendParts(saving, chunkSize, 'restarted');
  }
  await removeCheckpoint(key);
  return result;
}

/** Forgets what is saved of a file's upload (its upload was cancelled), if anything. */
export async function forgetSavedUpload(
  file: File,
  options: Pick<UploadMediaOptions, 'baseUrl' | 'fieldPrefix'>,
): Promise<void> {
  if (hasStorage()) await removeCheckpoint(await uploadKey(file, targetOf(options)));
}

const targetOf = ({
  baseUrl,
  fieldPrefix = DEFAULT_FIELD_PREFIX,
}: Pick<UploadMediaOptions, 'baseUrl' | 'fieldPrefix'>) => ({
  baseUrl,
  fieldPrefix,
});

/** The server no longer knows the saved upload (swept, or stored already), or the record does not fit the file. */
function forgotten(error: unknown): boolean {
  if (!isUploadError(error)) return false;
  return (error.kind === 'rejected' && error.status !== undefined) || error.details.reason === 'not-resumable';
}

/**
 * Part 0 alone, then the others `partConcurrency` at a time, then the done call. `origin` marks the
 * first part step sent: an upload picked up from storage (`resumedAt`), or started over (`restarted`).
 */
async function sendParts(
  options: UploadMediaOptions,
  chunkSize: number,
  origin?: 'resumed' | 'restarted',
): Promise<MediaResult> {
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
  const { createMD5, updateInPieces } = await import('./hashWasmMd5');
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

  /** The hash state after the last whole part hashed: a part is hashed in pieces, and a checkpoint never holds half of one. */
  let saved = { md5State: toBase64(hasher.save()), hashedParts: hashed };
  let hashing = Promise.resolve();
  /** Hashes, in file order, every part up to `part`: parts may be sent out of order, never hashed so. */
  const hashThrough = (part: number) => {
    hashing = hashing.then(async () => {
      for (; hashed <= part;) {
        const start = hashed * chunkSize;
        await updateInPieces(hasher, await file.slice(start, start + partSize(hashed)).arrayBuffer(), stop.signal);
        hashed += 1;
        saved = { md5State: toBase64(hasher.save()), hashedParts: hashed };
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

  let note: Partial<Extract<UploadStep, { name: 'part' }>> | undefined =
    origin === 'resumed'
      ? { resumedAt: Math.round((100 * storedBytes) / file.size) }
      : origin === 'restarted'
        ? { restarted: true }
        : undefined;
  const sendPart = async (part: number) => {
    options.onStep?.({ name: 'part', index: part, count: totalParts, ...note });
    note = undefined;
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
      ...saved,
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

/** The upload's uuid from a part's answer: part 0 tells it, every later part must answer the same. */
function readPartAnswer(answer: Record<string, unknown>, expected: string | undefined): string {
  const { file_uuid } = answer;
  if (!isFilled(file_uuid)) throw badResponse('missing-fields');
  if (expected !== undefined && file_uuid !== expected) throw badResponse('wrong-parent');
  return file_uuid;
}
