import { sniffImageType } from '../../src/core/sniff';
import { fileUrl } from '../files';
import type { UploadCall } from './call';
import { commit, declaredType } from './commit';
import { verifiedFile } from './receivedFile';

export const storeMedia: UploadCall = async (form, context) => {
  const file = verifiedFile(form);
  const type = sniffImageType(file.head) ?? declaredType(form.fields.text('filetype') ?? file.partType);
  const record = await commit(context.store, file, {
    kind: 'media',
    parentUuid: null,
    type,
    originalName: form.fields.text('filename') || file.partName,
    fields: form.sentFields,
  });
  return { file_url: fileUrl(context.origin, record), file_uuid: record.uuid };
};
