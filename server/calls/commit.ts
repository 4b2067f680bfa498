import { randomUUID } from 'node:crypto';
import type { StoredUpload, UploadStore } from '../store';

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

/** The type a client declared, as stored and served; anything that is not a MIME type is served as bytes. */
export function declaredType(type: string): string {
  const essence = type.split(';')[0]!.trim().toLowerCase();
  return MIME_TYPE.test(essence) ? essence : 'application/octet-stream';
}
