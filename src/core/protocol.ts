/** The private-message upload protocol: endpoint, field names and the forms each call sends. */

export const UPLOAD_PATH = '/api/v2/pm/upload/';

/** Fine Uploader's prefix; later versions of the API take the same fields without it (`''`). */
export const DEFAULT_FIELD_PREFIX = 'qq';

export const FIELDS = [
  'file',
  'parentuuid',
  'filetype',
  'filename',
  'totalfilesize',
  'md5',
  'duration',
  'uuid',
  'partindex',
  'totalparts',
  'partbyteoffset',
  'chunksize',
] as const;

export type Field = (typeof FIELDS)[number];

export function fieldName(field: Field, prefix: string = DEFAULT_FIELD_PREFIX): string {
  return prefix + field;
}

export function uploadUrl(baseUrl: string, query = ''): string {
  return baseUrl.replace(/\/+$/, '') + UPLOAD_PATH + query;
}

/** What the server answers to a thumbnail upload, named exactly as the server names it. */
export interface ThumbnailResult {
  file_url: string;
  file_uuid: string;
  parent_file_uuid: string;
}

export interface ThumbnailForm {
  file: Blob;
  fileName: string;
  parentUuid: string;
  md5: string;
}

export function buildThumbnailForm(form: ThumbnailForm, prefix: string = DEFAULT_FIELD_PREFIX): FormData {
  const data = new FormData();
  const name = (field: Field) => fieldName(field, prefix);
  data.append(name('parentuuid'), form.parentUuid);
  data.append(name('filename'), form.fileName);
  data.append(name('filetype'), form.file.type);
  data.append(name('totalfilesize'), String(form.file.size));
  data.append(name('md5'), form.md5);
  // The file goes last so that a streaming server has every other field before the bytes.
  data.append(name('file'), form.file, form.fileName);
  return data;
}
