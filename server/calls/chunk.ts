import { randomUUID } from 'node:crypto';
import type { PendingUpload } from '../chunks';
import type { FieldReader } from '../fields';
import { HttpError } from '../http';
import type { FilePlace } from '../multipart';
import type { UploadCall, UploadContext } from './call';
import { checkSize, receivedFile } from './receivedFile';

/** Each part rewrites the upload's record, which lists every part: this bounds that work. */
const MAX_TOTAL_PARTS = 10_000;

/**
 * One part of a chunked media: part 0 starts the upload and is answered its uuid; every later part
 * names it in `uuid`, in any order, and is stored at its offset (`partbyteoffset`, else its index
 * times part 0's size). Every part but the last has part 0's size.
 */
export const storeChunk: UploadCall = async (form, context) => {
  const { fields, sentFields } = form;
  const { totalParts, partIndex } = partNumbers(fields);
  const part = receivedFile(form);
  checkSize(fields.name('chunksize'), fields.wholeNumber('chunksize'), part.size);
  const totalFileSize = fields.wholeNumber('totalfilesize') ?? null;

  if (partIndex === 0) {
    const upload: PendingUpload = {
      uuid: randomUUID(),
      totalParts,
      totalFileSize,
      fileName: fields.text('filename') || part.partName,
      fileType: fields.text('filetype') || part.partType,
      parts: [],
      updatedAt: Date.now(),
    };
    placeOfPart(upload, fields, partIndex, part.size, context.maxChunkedFileBytes);
    await context.chunks.withLock(upload.uuid, () => context.chunks.store(upload, part, 0, 0, sentFields));
    return { file_uuid: upload.uuid };
  }

  const uuid = uuidOfPart(fields);
  return context.chunks.withLock(uuid, async () => {
    const upload = await pendingUpload(context, uuid);
    checkTotalParts(fields, totalParts, upload);
    if (totalFileSize !== null && upload.totalFileSize !== null && totalFileSize !== upload.totalFileSize) {
      throw new HttpError(
        400,
        `${fields.name('totalfilesize')} is ${totalFileSize}, but part 0 said ${upload.totalFileSize}.`,
      );
    }
    const stored = upload.parts.find(({ index }) => index === partIndex);
    if (stored) {
      // A retry of a part stored, whose answer was lost on the way: the same answer again. Two copies
      // sent at once were both written in place, over each other: the done call's MD5 checks them.
      const range = { start: stored.offset, end: stored.offset + stored.size - 1 };
      const same =
        stored.size === part.size &&
        (part.placedAt !== undefined || (await context.chunks.digest(uuid, 0, range)).md5 === part.md5);
      if (same) return { file_uuid: uuid };
      throw new HttpError(400, `Part ${partIndex} of ${uuid} is stored already, with other bytes.`);
    }
    const offset = placeOfPart(upload, fields, partIndex, part.size, context.maxChunkedFileBytes);
    await context.chunks.store(upload, part, partIndex, offset, sentFields);
    return { file_uuid: uuid };
  });
};

/**
 * Where a later part's bytes go, asked before they arrive: straight into its region of the upload's
 * file. Undefined (a temp file, and `storeChunk` says what is wrong) for a part that is not yet sure
 * to be stored there: an unknown upload, a part stored already, fields that do not fit.
 */
export async function placeOfChunk(fields: FieldReader, context: UploadContext): Promise<FilePlace | undefined> {
  try {
    const { partIndex } = partNumbers(fields);
    if (partIndex === 0) return undefined;
    const upload = await context.chunks.find(uuidOfPart(fields));
    if (!upload?.parts[0] || upload.parts.some(({ index }) => index === partIndex)) return undefined;
    // Without a chunksize, the last part is what remains of the declared file: placed too, so that
    // the done call can use the running MD5 instead of reading the whole file again.
    const partSize = upload.parts[0].size;
    const fileSize = partIndex === upload.totalParts - 1 ? upload.totalFileSize : null;
    const size = fields.wholeNumber('chunksize') ?? (fileSize === null ? partSize : fileSize - partIndex * partSize);
    const start = placeOfPart(upload, fields, partIndex, size, context.maxChunkedFileBytes);
    const hash = context.chunks.takeRunningHash(upload.uuid, partIndex);
    return { path: context.chunks.dataPath(upload.uuid), start, maxBytes: size, hash };
  } catch {
    return undefined;
  }
}

function partNumbers(fields: FieldReader) {
  const totalParts = fields.wholeNumber('totalparts');
  const partIndex = fields.wholeNumber('partindex');
  if (totalParts === undefined || totalParts < 1 || totalParts > MAX_TOTAL_PARTS) {
    throw new HttpError(
      400,
      `The field ${fields.name('totalparts')} must be a whole number from 1 to ${MAX_TOTAL_PARTS}.`,
    );
  }
  if (partIndex === undefined || partIndex >= totalParts) {
    throw new HttpError(
      400,
      `The field ${fields.name('partindex')} must be a whole number from 0 to ${totalParts - 1}.`,
    );
  }
  return { totalParts, partIndex };
}

function uuidOfPart(fields: FieldReader): string {
  const uuid = fields.text('uuid') ?? '';
  if (uuid === '') {
    throw new HttpError(
      400,
      `The field ${fields.name('uuid')} is missing; parts after 0 send the file_uuid answered to part 0.`,
    );
  }
  return uuid;
}

/**
 * The offset of part `index` of `size` bytes: its index times part 0's size, which every part but
 * the last has. Refuses a `partbyteoffset` elsewhere, a part of another size, and one that makes the
 * file too large.
 */
function placeOfPart(upload: PendingUpload, fields: FieldReader, index: number, size: number, maxBytes: number) {
  const partSize = upload.parts[0]?.size ?? size;
  const offset = index * partSize;
  const byteOffset = fields.wholeNumber('partbyteoffset');
  if (byteOffset !== undefined && byteOffset !== offset) {
    throw new HttpError(
      400,
      `${fields.name('partbyteoffset')} is ${byteOffset}, but part ${index} starts at ${offset} (parts are ${partSize} bytes, as part 0).`,
    );
  }
  const last = index === upload.totalParts - 1;
  if (last ? size > partSize : size !== partSize) {
    throw new HttpError(
      400,
      `Part ${index} is ${size} bytes; every part but the last is ${partSize} bytes, as part 0 (the last at most that).`,
    );
  }
  if (offset + size > maxBytes || (upload.totalFileSize ?? 0) > maxBytes) {
    throw new HttpError(413, `The file is larger than this server accepts in chunks (${maxBytes} bytes).`);
  }
  if (upload.totalFileSize !== null && offset + size > upload.totalFileSize) {
    throw new HttpError(
      400,
      `The parts pass the ${upload.totalFileSize} bytes ${fields.name('totalfilesize')} declared; send the file's own parts.`,
    );
  }
  return offset;
}

/** Refuses a `totalparts` other than part 0's; the done call may leave it out. */
export function checkTotalParts(fields: FieldReader, totalParts: number | undefined, upload: PendingUpload): void {
  if (totalParts !== undefined && totalParts !== upload.totalParts) {
    throw new HttpError(400, `${fields.name('totalparts')} is ${totalParts}, but part 0 said ${upload.totalParts}.`);
  }
}

export async function pendingUpload(context: UploadContext, uuid: string): Promise<PendingUpload> {
  const upload = await context.chunks.find(uuid);
  if (!upload) {
    throw new HttpError(
      404,
      `Unknown chunked upload ${uuid}: never started, already done, or deleted after a long pause. Start again from part 0.`,
    );
  }
  return upload;
}
