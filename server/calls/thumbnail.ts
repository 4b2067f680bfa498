import { sniffImageType } from '../../src/core/sniff';
import { HttpError } from '../http';
import { commit, fileUrl, type CallHandler } from './call';

/** The thumbnail of a stored media: an image, whose parent must be a media already done. */
export const storeThumbnail: CallHandler = async (context) => {
  const { fields, form } = context;
  const parentUuid = fields.text('parentuuid') ?? '';
  if (parentUuid === '') {
    throw new HttpError(400, `The field ${fields.name('parentuuid')} is empty; send the file_uuid of the media.`);
  }
  const file = fields.verifiedFile();
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
  return { file_url: fileUrl(context, record), file_uuid: record.uuid, parent_file_uuid: parentUuid };
};
