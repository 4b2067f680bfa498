import { randomUUID } from 'node:crypto';
import type { PendingUpload } from '../chunks';
import type { FieldReader } from '../fields';
import { HttpError } from '../http';
import type { UploadCall, UploadContext } from './call';
import { checkSize, receivedFile } from './receivedFile';

/** Each part rewrites the upload's record, which lists every part: this bounds that work. */
const MAX_TOTAL_PARTS = 10_000;

/**
 * One part of a chunked media: part 0 starts the upload and is answered its uuid; every later part
 * names it in `uuid` and must be the next one, starting where the bytes so far end.
 */
export const storeChunk: UploadCall = async (form, context) => {
  const { fields, sentFields } = form;
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
  const part = receivedFile(form);
  checkSize(fields.name('chunksize'), fields.wholeNumber('chunksize'), part.size);
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
    checkPartFits(upload, part.size, byteOffset, fields, context.maxChunkedFileBytes);
    await context.chunks.withLock(upload.uuid, () => context.chunks.append(upload, part, sentFields));
    return { file_uuid: upload.uuid };
  }

  const uuid = fields.text('uuid') ?? '';
  if (uuid === '') {
    throw new HttpError(
      400,
      `The field ${fields.name('uuid')} is missing; parts after 0 send the file_uuid answered to part 0.`,
    );
  }
  return context.chunks.withLock(uuid, async () => {
    const upload = await pendingUpload(context, uuid);
    checkTotalParts(fields, totalParts, upload);
    if (totalFileSize !== null && upload.totalFileSize !== null && totalFileSize !== upload.totalFileSize) {
      throw new HttpError(
        400,
        `${fields.name('totalfilesize')} is ${totalFileSize}, but part 0 said ${upload.totalFileSize}.`,
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
    checkPartFits(upload, part.size, byteOffset, fields, context.maxChunkedFileBytes);
    await context.chunks.append(upload, part, sentFields);
    return { file_uuid: uuid };
  });
};

/** Refuses a part that does not start where the bytes so far end, or that makes the file too large. */
function checkPartFits(
  upload: PendingUpload,
  size: number,
  byteOffset: number | undefined,
  fields: FieldReader,
  maxBytes: number,
) {
  if (byteOffset !== undefined && byteOffset !== upload.size) {
    throw new HttpError(
      400,
      `${fields.name('partbyteoffset')} is ${byteOffset}, but ${upload.size} bytes came before part ${upload.nextPart}.`,
    );
  }
  if (upload.size + size > maxBytes || (upload.totalFileSize ?? 0) > maxBytes) {
    throw new HttpError(413, `The file is larger than this server accepts in chunks (${maxBytes} bytes).`);
  }
  if (upload.totalFileSize !== null && upload.size + size > upload.totalFileSize) {
    throw new HttpError(
      400,
      `The parts pass the ${upload.totalFileSize} bytes ${fields.name('totalfilesize')} declared; send the file's own parts.`,
    );
  }
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
