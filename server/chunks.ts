import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { SNIFF_BYTES } from '../src/core/sniff';
import { readRecord } from './store';

/** A chunked media upload between its part 0 and its done call, kept as `chunks/<uuid>.json`. */
export interface PendingUpload {
  uuid: string;
  totalParts: number;
  /** The part expected next; `totalParts` once every part is in. */
  nextPart: number;
  /** Bytes received so far: the length of the assembled file, `chunks/<uuid>.bin`. */
  size: number;
  /** The whole file's size as part 0 declared it (`totalfilesize`), if it did. */
  totalFileSize: number | null;
  /** Name and type as part 0 declared them. */
  fileName: string;
  fileType: string;
  /** The last part appended, so that a retry whose answer was lost is answered again, not refused. */
  lastPart: { index: number; size: number; md5: string } | null;
  /** The text fields of every part, exactly as sent, in order. */
  parts: Array<Record<string, string>>;
  /** When the last part arrived (epoch ms): the upload is swept once it is older than `staleUploadMs`. */
  updatedAt: number;
}

/** A received part: the bytes on disk under a temp name, with their size and MD5. */
export interface ReceivedPart {
  tempPath: string;
  size: number;
  md5: string;
}

const TEMP_SUFFIX = '.tmp';
const PENDING_NAME = /^([0-9a-f-]{36})\.(json|bin)$/;

/**
 * Chunked uploads in progress, under `DATA_DIR/chunks/`: each part is appended in order to
 * `<uuid>.bin`, and `<uuid>.json` (written last, under a temp name then renamed) says how far it
 * got. The JSON is the truth: bytes past its `size` (a part cut short by a crash) are cut off
 * before the next part is appended. Calls on one upload run one after the other (`withLock`).
 */
export class ChunkStore {
  readonly dir: string;
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(dataDir: string) {
    this.dir = join(dataDir, 'chunks');
  }

  /** Creates the folder and deletes temp files and halves of uploads (a file without its record, or the reverse). */
  async open(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const names = await readdir(this.dir);
    const present = new Set(names);
    for (const name of names) {
      const match = PENDING_NAME.exec(name);
      const other = match && `${match[1]}.${match[2] === 'json' ? 'bin' : 'json'}`;
      if (name.endsWith(TEMP_SUFFIX) || (other && !present.has(other))) await rm(join(this.dir, name), { force: true });
    }
  }

  /** Path of the assembled bytes. */
  dataPath(uuid: string): string {
    return join(this.dir, `${uuid}.bin`);
  }

  /** The upload in progress under this uuid; undefined for any other string, or when there is none. */
  find(uuid: string): Promise<PendingUpload | undefined> {
    return readRecord(this.dir, uuid);
  }

  /** Appends the part after the bytes already received and records it; the upload is updated in place. */
  async append(upload: PendingUpload, part: ReceivedPart, fields: Record<string, string>): Promise<void> {
    const path = this.dataPath(upload.uuid);
    if (upload.nextPart > 0) await truncate(path, upload.size);
    await pipeline(
      createReadStream(part.tempPath),
      createWriteStream(path, { flags: upload.nextPart > 0 ? 'a' : 'wx' }),
    );
    upload.lastPart = { index: upload.nextPart, size: part.size, md5: part.md5 };
    upload.nextPart += 1;
    upload.size += part.size;
    upload.parts.push(fields);
    upload.updatedAt = Date.now();
    await this.save(upload);
  }

  /** MD5 and first bytes of the assembled file, read as a stream. */
  async digest(uuid: string): Promise<{ md5: string; head: Buffer }> {
    const hash = createHash('md5');
    let head = Buffer.alloc(0);
    for await (const chunk of createReadStream(this.dataPath(uuid)) as AsyncIterable<Buffer>) {
      hash.update(chunk);
      if (head.length < SNIFF_BYTES) head = Buffer.concat([head, chunk.subarray(0, SNIFF_BYTES - head.length)]);
    }
    return { md5: hash.digest('hex'), head };
  }

  /** Forgets an upload: its record first, so that a crash between the two leaves a file `open()` sweeps. */
  async remove(uuid: string): Promise<void> {
    await rm(join(this.dir, `${uuid}.json`), { force: true });
    await rm(this.dataPath(uuid), { force: true });
  }

  /** Removes the uploads whose last part is older than `staleMs`; resolves with how many. */
  async sweep(staleMs: number, now = Date.now()): Promise<number> {
    let removed = 0;
    for (const name of await readdir(this.dir)) {
      const uuid = PENDING_NAME.exec(name)?.[2] === 'json' ? name.slice(0, -'.json'.length) : undefined;
      if (uuid === undefined) continue;
      await this.withLock(uuid, async () => {
        // Read again under the lock: a part may have arrived since the folder was listed.
        const upload = await this.find(uuid);
        if (upload && now - upload.updatedAt >= staleMs) {
          await this.remove(uuid);
          removed += 1;
        }
      });
    }
    return removed;
  }

  /** Runs `task` after every earlier task on the same upload has settled. */
  async withLock<T>(uuid: string, task: () => Promise<T>): Promise<T> {
    const run = (this.locks.get(uuid) ?? Promise.resolve()).then(task);
    const settled = run.catch(() => undefined);
    this.locks.set(uuid, settled);
    try {
      return await run;
    } finally {
      if (this.locks.get(uuid) === settled) this.locks.delete(uuid);
    }
  }

  /** Writes the record whole under a temp name, then renames it: a crash leaves the old one or the new. */
  private async save(upload: PendingUpload): Promise<void> {
    const temp = join(this.dir, `.${upload.uuid}${TEMP_SUFFIX}`);
    await writeFile(temp, JSON.stringify(upload) + '\n');
    await rename(temp, join(this.dir, `${upload.uuid}.json`));
  }
}
