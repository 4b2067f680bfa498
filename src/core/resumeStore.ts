/**
 * The checkpoints of chunked uploads kept in IndexedDB, so that the same file chosen again after a
 * reload goes on from its next part. Loaded with the parts' sender (chunks.ts) only. Storage is a
 * help, never a condition: without IndexedDB (a private window, SSR, Node) or when it fails, every
 * call resolves to nothing and the upload goes on as if nothing had been kept.
 */
import type { ChunkCheckpoint } from './media';

/** How long a saved checkpoint is offered by default: 24 h, as long as the reference server keeps the parts. */
export const DEFAULT_RESUME_MAX_AGE_MS = 24 * 60 * 60 * 1000;

/** Bytes hashed at each end of a file for its key: enough to tell apart two files of the same name and size. */
const EDGE_BYTES = 64 * 1024;
const DATABASE = 'react-thumbnail-uploader';
const STORE = 'chunked-uploads';

interface SavedUpload {
  key: string;
  checkpoint: ChunkCheckpoint;
  savedAt: number;
  /** Its saver's `maxAgeMs`: it is deleted once older than that, whoever looks up. */
  maxAgeMs: number;
}

/** Where the parts went: a checkpoint is worth nothing on another server, or under other field names. */
export interface UploadTarget {
  baseUrl: string;
  fieldPrefix: string;
}

/** Whether the page has IndexedDB at all (not in Node, nor in some private windows): without it, no key is worth hashing. */
export function hasStorage(): boolean {
  return typeof globalThis.indexedDB?.open === 'function';
}

const keys = new WeakMap<File, Map<string, Promise<string>>>();

/**
 * The key of a file's saved upload to a target: its name, size, last change and type, the endpoint
 * and the field prefix, and the MD5 of its first and last 64 KiB. Made once per file and target.
 */
export function uploadKey(file: File, target: UploadTarget): Promise<string> {
  const byTarget = keys.get(file) ?? new Map<string, Promise<string>>();
  keys.set(file, byTarget);
  const where = JSON.stringify([target.baseUrl, target.fieldPrefix]);
  let key = byTarget.get(where);
  if (!key) {
    key = edgesHash(file).then((edges) =>
      JSON.stringify([file.name, file.size, file.lastModified, file.type, target.baseUrl, target.fieldPrefix, edges]),
    );
    byTarget.set(where, key);
  }
  return key;
}

async function edgesHash(file: File): Promise<string> {
  const { createMD5 } = await import('./hashWasmMd5');
  const hasher = await createMD5();
  hasher.update(new Uint8Array(await file.slice(0, EDGE_BYTES).arrayBuffer()));
  hasher.update(new Uint8Array(await file.slice(Math.max(EDGE_BYTES, file.size - EDGE_BYTES)).arrayBuffer()));
  return hasher.digest('hex');
}

/**
 * The checkpoint saved under `key` in the last `maxAgeMs`. Records older than the age their own
 * saver gave them (of any file) are deleted on the way; a shorter `maxAgeMs` here only hides one.
 */
export function loadCheckpoint(
  key: string,
  maxAgeMs = DEFAULT_RESUME_MAX_AGE_MS,
  now = Date.now(),
): Promise<ChunkCheckpoint | undefined> {
  return inStore((store) => {
    let found: ChunkCheckpoint | undefined;
    const cursor = store.openCursor();
    cursor.onsuccess = () => {
      const current = cursor.result;
      if (!current) return;
      const saved = current.value as SavedUpload;
      const age = now - saved.savedAt;
      if (!(age < saved.maxAgeMs)) current.delete();
      else if (saved.key === key && age < maxAgeMs) found = saved.checkpoint;
      current.continue();
    };
    return () => found;
  });
}

/** Saves the checkpoint under `key`, kept for `maxAgeMs` from now. */
export async function saveCheckpoint(
  key: string,
  checkpoint: ChunkCheckpoint,
  maxAgeMs = DEFAULT_RESUME_MAX_AGE_MS,
  now = Date.now(),
): Promise<void> {
  const saved: SavedUpload = { key, checkpoint, savedAt: now, maxAgeMs };
  await inStore((store) => {
    store.put(saved);
    return undefined;
  });
}

export async function removeCheckpoint(key: string): Promise<void> {
  await inStore((store) => {
    store.delete(key);
    return undefined;
  });
}

let database: Promise<IDBDatabase> | undefined;

function openDatabase(): Promise<IDBDatabase> {
  database ??= new Promise<IDBDatabase>((resolve, reject) => {
    const request = globalThis.indexedDB.open(DATABASE, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: 'key' });
    request.onsuccess = () => {
      const opened = request.result;
      // Another tab upgrading the database, or the browser clearing it: open afresh next time.
      opened.onversionchange = opened.onclose = () => {
        opened.close();
        database = undefined;
      };
      resolve(opened);
    };
    request.onerror = request.onblocked = () => reject(request.error ?? new Error('IndexedDB blocked'));
  });
  // A failure (no IndexedDB, storage refused) is not kept: a later call tries again.
  database.catch(() => (database = undefined));
  return database;
}

/** One after the other, so that a removal asked after a save is never undone by it. */
let queue: Promise<unknown> = Promise.resolve();

/** Runs `use` in a read-write transaction and resolves, once it is written, with what its result gives; undefined on any failure. */
function inStore<T>(use: (store: IDBObjectStore) => (() => T) | undefined): Promise<T | undefined> {
  const run = queue.then(async () => {
    const transaction = (await openDatabase()).transaction(STORE, 'readwrite');
    const result = use(transaction.objectStore(STORE));
    return new Promise<T | undefined>((resolve, reject) => {
      transaction.oncomplete = () => resolve(result?.());
      transaction.onerror = transaction.onabort = () => reject(transaction.error ?? new Error('aborted'));
    });
  });
  const settled = run.catch(() => undefined);
  queue = settled;
  return settled;
}
