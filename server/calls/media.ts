import { sniffImageType } from '../../src/core/sniff';
import { commit, declaredType, fileUrl, type CallHandler } from './call';

/** A media in one request: stored as sent, typed by its bytes when they are an image's. */
export const storeMedia: CallHandler = async (context) => {
  const { fields, form } = context;
  const file = fields.verifiedFile();
  const type = sniffImageType(file.head) ?? declaredType(fields.text('filetype') ?? file.partType);
  const record = await commit(context.store, file, {
    kind: 'media',
    parentUuid: null,
    type,
    originalName: fields.text('filename') || file.partName,
    fields: form.sentFields,
  });
  return { file_url: fileUrl(context, record), file_uuid: record.uuid };
};
