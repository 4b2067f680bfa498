import { randomUUID } from 'node:crypto';
import type { ChunkStore, PendingUpload } from '../chunks';
import type { FieldReader } from '../fields';
import { HttpError } from '../http';
import type { ReceivedForm } from '../multipart';
import type { StoredUpload, UploadStore } from '../store';

/** What a call of the upload family is handed: the form it read, its fields, where to store, who asked. */
export interface UploadContext {
  form: ReceivedForm;
  fields: FieldReader;
  store: UploadStore;
  chunks: ChunkStore;
  maxChunkedFileBytes: number;
  /** `http://host:port` as the client reached us, so answered URLs work from its origin. */
  origin: string;
}

/** What one call of the upload family does with a form it has read: media, thumbnail, part, done. */
export type CallHandler = (context: UploadContext) => Promise<object>;

const EXTENSIONS: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'image/avif': 'avif',
  'image/bmp': 'bmp',
  'video/mp4': 'mp4',
  'video/webm': 'webm',
  'video/quicktime': 'mov',
  'audio/mpeg': 'mp3',
  'audio/mp4': 'm4a',
  'audio/ogg': 'ogg',
  'audio/wav': 'wav',
  'audio/webm': 'weba',
  'application/pdf': 'pdf',
  'text/plain': 'txt',
};

const MIME_TYPE = /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/;

/**
 * Stores the file (moved from `tempPath`) with its record, under a new uuid, or under the uuid a
 * chunked upload was answered at part 0.
 */
export async function commit(
  store: UploadStore,
  file: { tempPath: string; size: number; md5: string },
  what: Pick<StoredUpload, 'kind' | 'parentUuid' | 'type' | 'originalName' | 'fields' | 'parts'> & { uuid?: string },
): Promise<StoredUpload> {
  const { uuid = randomUUID(), parts, ...described } = what;
  const record: StoredUpload = {
    uuid,
    ...described,
    size: file.size,
    md5: file.md5,
    storedName: `${uuid}.${EXTENSIONS[what.type] ?? 'bin'}`,
    ...(parts && { parts }),
    createdAt: new Date().toISOString(),
  };
  await store.commit(file.tempPath, record);
  return record;
}

export function declaredType(type: string): string {
  const essence = type.split(';')[0]!.trim().toLowerCase();
  return MIME_TYPE.test(essence) ? essence : 'application/octet-stream';
}

export function fileUrl(context: UploadContext, record: StoredUpload): string {
  return `${context.origin}/files/${record.storedName}`;
}

export async function pendingUpload(context: UploadContext, uuid: string): Promise<PendingUpload> {
  const upload = await context.chunks.find(uuid);
  if (!upload) {
    throw new HttpError(
      404,
      `Unknown chunked upload ${uuid}: never started, already done, or deleted after a long pause. Start again from part 0.`,
    );
  }
  return upload;
}
