import { sniffImageType } from '../../src/core/sniff';
import { fileUrl } from '../files';
import { HttpError } from '../http';
import type { UploadCall } from './call';
import { commit } from './commit';
import { verifiedFile } from './receivedFile';

/** A thumbnail is stored only for a media that is stored, and only if its bytes are an image. */
export const storeThumbnail: UploadCall = async (form, context) => {
  const { fields } = form;
  const parentUuid = fields.text('parentuuid') ?? '';
  if (parentUuid === '') {
    throw new HttpError(400, `The field ${fields.name('parentuuid')} is empty; send the file_uuid of the media.`);
  }
  const file = verifiedFile(form);
  const type = sniffImageType(file.head);
  if (!type) throw new HttpError(415, 'The thumbnail is not an image; send a PNG, JPEG, GIF, WebP, AVIF or BMP.');
  const parent = await context.store.find(parentUuid);
  if (!parent && (await context.chunks.find(parentUuid))) {
    throw new HttpError(
      404,
      `The media ${parentUuid} is still being uploaded in chunks; send its ?done call before its thumbnail.`,
    );
  }
  if (parent?.kind !== 'media') {
    throw new HttpError(404, `Unknown parent media ${parentUuid}; upload the media first and send its file_uuid.`);
  }
  const record = await commit(context.store, file, {
    kind: 'thumbnail',
    parentUuid,
    type,
    originalName: fields.text('filename') || file.partName,
    fields: form.sentFields,
  });
  return { file_url: fileUrl(context.origin, record), file_uuid: record.uuid, parent_file_uuid: parentUuid };
};
