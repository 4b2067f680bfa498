/** The private-message upload protocol: endpoint, field names and the forms each call sends. */

/** The one endpoint of the family, under the API's base URL. */
export const UPLOAD_PATH = '/api/v2/pm/upload/';

/** Fine Uploader's prefix; later versions of the API take the same fields without it (`''`). */
export const DEFAULT_FIELD_PREFIX = 'qq';

/** Every field of the family, unprefixed. */
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

/** One field of the family, unprefixed. */
export type Field = (typeof FIELDS)[number];

/** A field's name as sent: `fieldName('file')` is `qqfile`, `fieldName('file', '')` is `file`. */
export function fieldName(field: Field, prefix: string = DEFAULT_FIELD_PREFIX): string {
  return prefix + field;
}

/** The endpoint under `baseUrl`, with an optional query (`'?done'`). */
export function uploadUrl(baseUrl: string, query = ''): string {
  return baseUrl.replace(/\/+$/, '') + UPLOAD_PATH + query;
}

/** What the server answers to a thumbnail upload, named exactly as the server names it. */
export interface ThumbnailResult {
  file_url: string;
  file_uuid: string;
  parent_file_uuid: string;
}

/** What the server answers to a media upload (one call, or the done call of a chunked one). */
export interface MediaResult {
  file_url: string;
  file_uuid: string;
}

/** The fields of "Upload a Thumbnail". */
export interface ThumbnailForm {
  file: Blob;
  fileName: string;
  parentUuid: string;
  md5: string;
}

/** The form of a thumbnail upload. */
export function buildThumbnailForm(form: ThumbnailForm, prefix: string = DEFAULT_FIELD_PREFIX): FormData {
  return formOf(prefix, [
    ['parentuuid', form.parentUuid],
    ['filename', form.fileName],
    ['filetype', form.file.type],
    ['totalfilesize', String(form.file.size)],
    ['md5', form.md5],
    ['file', form.file, form.fileName],
  ]);
}

/** The fields of "Upload a Media": the whole file in one request. */
export interface MediaForm {
  file: Blob;
  fileName: string;
  md5: string;
  /** Whole seconds, for audio and video. */
  duration?: number;
}

/** One part of "Upload a Media in Chunks". */
export interface ChunkForm {
  /** This part's bytes. */
  chunk: Blob;
  /** 0 .. totalParts - 1. */
  partIndex: number;
  totalParts: number;
  /** The `file_uuid` answered to part 0; absent for part 0 itself. */
  fileUuid?: string;
  /** Where this part starts in the whole file. */
  byteOffset: number;
  /** The whole file's name, type and size. */
  fileName: string;
  fileType: string;
  totalFileSize: number;
}

/** "Chunk Upload Done": every part is there; `md5` is of the whole file. */
export interface ChunkDoneForm {
  fileUuid: string;
  fileName: string;
  fileType: string;
  totalParts: number;
  totalFileSize: number;
  md5: string;
}

/** The form of a single-request media upload. */
export function buildMediaForm(form: MediaForm, prefix: string = DEFAULT_FIELD_PREFIX): FormData {
  return formOf(prefix, [
    ['filename', form.fileName],
    ['filetype', form.file.type],
    ['totalfilesize', String(form.file.size)],
    ['md5', form.md5],
    ['duration', form.duration === undefined ? undefined : String(Math.round(form.duration))],
    ['file', form.file, form.fileName],
  ]);
}

/** The form of one part of a chunked media upload; `qqchunksize` is the size of this part. */
export function buildChunkForm(form: ChunkForm, prefix: string = DEFAULT_FIELD_PREFIX): FormData {
  return formOf(prefix, [
    ['partindex', String(form.partIndex)],
    ['totalparts', String(form.totalParts)],
    ['uuid', form.fileUuid],
    ['partbyteoffset', String(form.byteOffset)],
    ['chunksize', String(form.chunk.size)],
    ['totalfilesize', String(form.totalFileSize)],
    ['filename', form.fileName],
    ['filetype', form.fileType],
    ['file', form.chunk, form.fileName],
  ]);
}

/** The form of the `?done` call that ends a chunked media upload. */
export function buildChunkDoneForm(form: ChunkDoneForm, prefix: string = DEFAULT_FIELD_PREFIX): FormData {
  return formOf(prefix, [
    ['uuid', form.fileUuid],
    ['filename', form.fileName],
    ['totalparts', String(form.totalParts)],
    ['md5', form.md5],
    ['filetype', form.fileType],
    ['totalfilesize', String(form.totalFileSize)],
  ]);
}

type FormEntry = [Field, string | undefined] | [Field, Blob, string];

/**
 * The fields in the given order, skipping those without a value. Every call puts the file last, so
 * that a streaming server has every other field before the bytes.
 */
function formOf(prefix: string, entries: FormEntry[]): FormData {
  const data = new FormData();
  for (const [field, value, fileName] of entries) {
    if (typeof value === 'string') data.append(fieldName(field, prefix), value);
    else if (value !== undefined) data.append(fieldName(field, prefix), value, fileName);
  }
  return data;
}
