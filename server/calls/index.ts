import type { FieldReader } from '../fields';
import type { CallHandler } from './call';
import { storeChunk } from './chunk';
import { finishChunkedUpload } from './done';
import { storeMedia } from './media';
import { storeThumbnail } from './thumbnail';

export type { UploadContext } from './call';

/** Which call of the family this is: `?done`, a chunk (`partindex`), a thumbnail (`parentuuid`) or a media. */
export function callFor(url: URL, fields: FieldReader): CallHandler {
  if (url.searchParams.has('done')) return finishChunkedUpload;
  if (fields.text('partindex') !== undefined) return storeChunk;
  if (fields.text('parentuuid') !== undefined) return storeThumbnail;
  return storeMedia;
}
