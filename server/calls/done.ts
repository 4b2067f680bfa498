import { sniffImageType } from '../../src/core/sniff';
import { fileUrl } from '../files';
import { HttpError } from '../http';
import type { UploadCall } from './call';
import { checkTotalParts, pendingUpload } from './chunk';
import { commit, declaredType } from './commit';
import { checkMd5, checkSize } from './receivedFile';

/**
 * `?done` (or `?done/`): every part is in, whatever order they came in; the assembled file is
 * checked against the declared size and MD5 and stored as a media under the upload's uuid. A done sent again for a stored upload is answered again.
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
    const parts = [...upload.parts].sort((a, b) => a.index - b.index);
    const missing = missingParts(
      parts.map(({ index }) => index),
      upload.totalParts,
    );
    if (missing) {
      const verb = missing.startsWith('Parts') ? 'are' : 'is';
      throw new HttpError(400, `${missing} of ${uuid} ${verb} missing; send every part before ?done.`);
    }
    const size = parts.reduce((sum, part) => sum + part.size, 0);
    checkSize(fields.name('totalfilesize'), totalFileSize, size);
    const { md5, head } = await context.chunks.digest(uuid, upload.totalParts);
    checkMd5(fields, md5);
    const type = sniffImageType(head) ?? declaredType(fields.text('filetype') || upload.fileType);
    // The assembled file is moved by the commit, and deleted if the commit fails: either way the
    // pending upload is over, and a later done call must be told so (404), not fail on a lost file.
    const record = await commit(
      context.store,
      { tempPath: context.chunks.dataPath(uuid), size, md5 },
      {
        uuid,
        kind: 'media',
        parentUuid: null,
        type,
        originalName: fields.text('filename') || upload.fileName,
        fields: sentFields,
        parts: parts.map((part) => part.fields),
      },
    ).finally(() => context.chunks.remove(uuid));
    return { file_url: fileUrl(context.origin, record), file_uuid: uuid };
  });
};

/** The parts not stored, as ranges (`Parts 1 to 3, 5`, `Part 2`), or undefined when every one is. */
function missingParts(stored: number[], totalParts: number): string | undefined {
  const have = new Set(stored);
  const ranges: string[] = [];
  for (let index = 0; index < totalParts; index += 1) {
    if (have.has(index)) continue;
    const first = index;
    while (index + 1 < totalParts && !have.has(index + 1)) index += 1;
    ranges.push(first === index ? `${first}` : `${first} to ${index}`);
  }
  if (!ranges.length) return undefined;
  return ranges.length === 1 && !ranges[0]!.includes(' ') ? `Part ${ranges[0]}` : `Parts ${ranges.join(', ')}`;
}
