import type { ChunkStore } from '../chunks';
import type { FieldReader } from '../fields';
import type { ReceivedForm } from '../multipart';
import type { UploadStore } from '../store';

/** A received form whose protocol fields are read only through the reader, which knows the prefix. */
export interface UploadForm extends Omit<ReceivedForm, 'fields'> {
  fields: FieldReader;
}

export interface UploadContext {
  store: UploadStore;
  chunks: ChunkStore;
  maxChunkedFileBytes: number;
  /** `http://host:port` as the client reached us, so answered URLs work from its origin. */
  origin: string;
}

/** What one call of the upload family does with a form it has read; it answers the JSON to send. */
export type UploadCall = (form: UploadForm, context: UploadContext) => Promise<object>;
