import { sniffImageType } from '../../src/core/sniff';
import { fileUrl } from '../files';
import { HttpError } from '../http';
import type { UploadCall } from './call';
import { checkTotalParts, pendingUpload } from './chunk';
import { commit, declaredType } from './commit';
import { checkMd5, checkSize } from './receivedFile';

/**
 * `?done`: every part is in; the assembled file is checked against the declared size and MD5 and
 * stored as a media under the upload's uuid. A done sent again for a stored upload is answered again.
 */
export const finishChunkedUpload: UploadCall = async ({ fields, sentFields }, context) => {
  const uuid = fields.text('uuid') ?? '';
  if (uuid === '') {
    throw new HttpError(400, `The field ${fields.name('uuid')} is missing; send the file_uuid of part 0.`);
  }
  if (!fields.text('filename')) throw new HttpError(400, `The field ${fields.name('filename')} is missing.`);
  const totalParts = fields.wholeNumber('totalparts');
  const totalFileSize = fields.wholeNumber('totalfilesize');
  return context.chunks.withLock(uuid, async () => {
    const stored = await context.store.find(uuid);
    if (stored?.parts) {
      checkMd5(fields, stored.md5);
      return { file_url: fileUrl(context.origin, stored), file_uuid: uuid };
    }
    const upload = await pendingUpload(context, uuid);
    checkTotalParts(fields, totalParts, upload);
    if (upload.nextPart < upload.totalParts) {
      const missing =
        upload.nextPart === upload.totalParts - 1
          ? `${upload.nextPart}`
          : `${upload.nextPart} to ${upload.totalParts - 1}`;
      throw new HttpError(400, `Parts ${missing} of ${uuid} are missing; send every part before ?done.`);
    }
    checkSize(fields.name('totalfilesize'), totalFileSize, upload.size);
    const { md5, head } = await context.chunks.digest(uuid);
    checkMd5(fields, md5);
    const type = sniffImageType(head) ?? declaredType(fields.text('filetype') || upload.fileType);
    // The assembled file is moved by the commit, and deleted if the commit fails: either way the
    // pending upload is over, and a later done call must be told so (404), not fail on a lost file.
    const record = await commit(
      context.store,
      { tempPath: context.chunks.dataPath(uuid), size: upload.size, md5 },
      {
        uuid,
        kind: 'media',
        parentUuid: null,
        type,
        originalName: fields.text('filename') || upload.fileName,
        fields: sentFields,
        parts: upload.parts,
      },
    ).finally(() => context.chunks.remove(uuid));
    return { file_url: fileUrl(context.origin, record), file_uuid: uuid };
  });
};
