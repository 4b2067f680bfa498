import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export type UploadKind = 'media' | 'thumbnail';

/** What is kept on disk beside each stored file, as `meta/<uuid>.json`. */
export interface StoredUpload {
  uuid: string;
  kind: UploadKind;
  parentUuid: string | null;
  /** The name the client gave; kept for people, never used as a path. */
  originalName: string;
  type: string;
  size: number;
  md5: string;
  /** The generated name under `files/`, served as `/files/<storedName>`. */
  storedName: string;
  /** The text fields as the client sent them (names with their prefix), for tests and debugging. */
  fields: Record<string, string>;
  /** For a media uploaded in chunks: the text fields of every part, as sent, in order (`fields` are the done call's). */
  parts?: Array<Record<string, string>>;
  createdAt: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const STORED_NAME = /^([0-9a-f-]{36})\.([a-z0-9]{1,5})$/;
const TEMP_SUFFIX = '.tmp';

const isUuid = (value: string) => UUID.test(value);

/** The record `<uuid>.json` in `dir`; undefined when there is none, or when `uuid` is not one. */
export async function readRecord<T>(dir: string, uuid: string): Promise<T | undefined> {
  // Only a well-formed uuid reaches the file system, so no client string can name another path.
  if (!isUuid(uuid)) return undefined;
  try {
    return JSON.parse(await readFile(join(dir, `${uuid}.json`), 'utf8')) as T;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Uploads on disk: `files/` holds the bytes, `meta/` one JSON record per upload. Everything is
 * written under a temporary name in the same folder and renamed when complete, so a crash never
 * leaves a half file under a final name. The record is written last: it is what makes an upload
 * exist, so a crash between the two leaves at worst an unreferenced file, never a dangling record.
 */
export class UploadStore {
  readonly filesDir: string;
  private readonly metaDir: string;

  constructor(readonly dataDir: string) {
    this.filesDir = join(dataDir, 'files');
    this.metaDir = join(dataDir, 'meta');
  }

  /**
   * Creates the folders and deletes what a killed run left behind: temporary files (uploads cut
   * short) and stored files without a record (killed between the two renames of a commit), so
   * that every file under `files/` is a complete upload with its record. One server per folder.
   */
  async open(): Promise<void> {
    for (const dir of [this.filesDir, this.metaDir]) {
      await mkdir(dir, { recursive: true });
      for (const name of await readdir(dir)) {
        if (name.endsWith(TEMP_SUFFIX)) await rm(join(dir, name), { force: true });
      }
    }
    const records = new Set(await readdir(this.metaDir));
    for (const name of await readdir(this.filesDir)) {
      const uuid = STORED_NAME.exec(name)?.[1];
      if (uuid !== undefined && !records.has(`${uuid}.json`)) await rm(join(this.filesDir, name), { force: true });
    }
  }

  /** A fresh path for an upload in progress, in the folder it will be renamed within. */
  tempFilePath(): string {
    return join(this.filesDir, `.${randomUUID()}${TEMP_SUFFIX}`);
  }

  async commit(tempPath: string, record: StoredUpload): Promise<void> {
    // Names are generated, never the client's; this guard keeps it so if that ever changes.
    if (!isUuid(record.uuid) || !STORED_NAME.test(record.storedName)) {
      throw new Error(`Refusing to store under ${JSON.stringify(record.storedName)}: not a generated name.`);
    }
    await rename(tempPath, join(this.filesDir, record.storedName));
    const tempMeta = join(this.metaDir, `.${record.uuid}${TEMP_SUFFIX}`);
    try {
      await writeFile(tempMeta, JSON.stringify(record, null, 2) + '\n', { flag: 'wx' });
      await rename(tempMeta, join(this.metaDir, `${record.uuid}.json`));
    } catch (error) {
      await rm(tempMeta, { force: true });
      await rm(join(this.filesDir, record.storedName), { force: true });
      throw error;
    }
  }

  find(uuid: string): Promise<StoredUpload | undefined> {
    return readRecord(this.metaDir, uuid);
  }

  /** The record and path of a stored file by its public name, or undefined for any other name. */
  async findByStoredName(name: string): Promise<{ record: StoredUpload; path: string } | undefined> {
    const uuid = STORED_NAME.exec(name)?.[1];
    const record = uuid === undefined ? undefined : await this.find(uuid);
    if (record?.storedName !== name) return undefined;
    return { record, path: join(this.filesDir, name) };
  }
}
