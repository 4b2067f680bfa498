import { randomUUID } from 'node:crypto';
import type { PendingUpload } from '../chunks';
import { HttpError } from '../http';
import { pendingUpload, type CallHandler, type UploadContext } from './call';

/** Each part rewrites the upload's record, which lists every part: this bounds that work. */
const MAX_TOTAL_PARTS = 10_000;

/**
 * One part of a chunked media: part 0 starts the upload and is answered its uuid; every later part
 * names it in `uuid` and must be the next one, starting where the bytes so far end.
 */
export const storeChunk: CallHandler = async (context) => {
  const { fields, form } = context;
  const { name } = fields;
  const totalParts = fields.wholeNumber('totalparts');
  const partIndex = fields.wholeNumber('partindex');
  if (totalParts === undefined || totalParts < 1 || totalParts > MAX_TOTAL_PARTS) {
    throw new HttpError(400, `The field ${name('totalparts')} must be a whole number from 1 to ${MAX_TOTAL_PARTS}.`);
  }
  if (partIndex === undefined || partIndex >= totalParts) {
    throw new HttpError(400, `The field ${name('partindex')} must be a whole number from 0 to ${totalParts - 1}.`);
  }
  const part = fields.file();
  const chunkSize = fields.wholeNumber('chunksize');
  if (chunkSize !== undefined && chunkSize !== part.size) {
    throw new HttpError(400, `Size mismatch: ${name('chunksize')} says ${chunkSize} bytes but ${part.size} arrived.`);
  }
  const totalFileSize = fields.wholeNumber('totalfilesize') ?? null;
  const byteOffset = fields.wholeNumber('partbyteoffset');

  if (partIndex === 0) {
    const upload: PendingUpload = {
      uuid: randomUUID(),
      totalParts,
      nextPart: 0,
      size: 0,
      totalFileSize,
      fileName: fields.text('filename') || part.partName,
      fileType: fields.text('filetype') || part.partType,
      lastPart: null,
      parts: [],
      updatedAt: Date.now(),
    };
    checkPartFits(upload, part.size, byteOffset, context);
    await context.chunks.withLock(upload.uuid, () => context.chunks.append(upload, part, form.sentFields));
    return { file_uuid: upload.uuid };
  }

  const uuid = fields.text('uuid') ?? '';
  if (uuid === '') {
    throw new HttpError(
      400,
      `The field ${name('uuid')} is missing; parts after 0 send the file_uuid answered to part 0.`,
    );
  }
  return context.chunks.withLock(uuid, async () => {
    const upload = await pendingUpload(context, uuid);
    if (totalParts !== upload.totalParts) {
      throw new HttpError(400, `${name('totalparts')} is ${totalParts}, but part 0 said ${upload.totalParts}.`);
    }
    if (totalFileSize !== null && upload.totalFileSize !== null && totalFileSize !== upload.totalFileSize) {
      throw new HttpError(
        400,
        `${name('totalfilesize')} is ${totalFileSize}, but part 0 said ${upload.totalFileSize}.`,
      );
    }
    const last = upload.lastPart;
    // A retry of the part just stored, whose answer was lost on the way: the same answer again.
    if (last?.index === partIndex && last.size === part.size && last.md5 === part.md5) return { file_uuid: uuid };
    if (partIndex !== upload.nextPart) {
      const expected =
        upload.nextPart < upload.totalParts ? `part ${upload.nextPart} is next` : 'every part is in; send ?done';
      throw new HttpError(400, `Part ${partIndex} of ${uuid} is out of order: ${expected}. Send the parts in order.`);
    }
    checkPartFits(upload, part.size, byteOffset, context);
    await context.chunks.append(upload, part, form.sentFields);
    return { file_uuid: uuid };
  });
};

/** Refuses a part that does not start where the bytes so far end, or that makes the file too large. */
function checkPartFits(upload: PendingUpload, size: number, byteOffset: number | undefined, context: UploadContext) {
  const { name } = context.fields;
  if (byteOffset !== undefined && byteOffset !== upload.size) {
    throw new HttpError(
      400,
      `${name('partbyteoffset')} is ${byteOffset}, but ${upload.size} bytes came before part ${upload.nextPart}.`,
    );
  }
  const max = context.maxChunkedFileBytes;
  if (upload.size + size > max || (upload.totalFileSize ?? 0) > max) {
    throw new HttpError(413, `The file is larger than this server accepts in chunks (${max} bytes).`);
  }
  if (upload.totalFileSize !== null && upload.size + size > upload.totalFileSize) {
    throw new HttpError(
      400,
      `The parts pass the ${upload.totalFileSize} bytes ${name('totalfilesize')} declared; send the file's own parts.`,
    );
  }
}
