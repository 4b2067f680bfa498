import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { SNIFF_BYTES } from '../src/core/sniff';
import { readRecord } from './store';

/** A chunked media upload between its part 0 and its done call, kept as `chunks/<uuid>.json`. */
export interface PendingUpload {
  uuid: string;
  totalParts: number;
  /** The whole file's size as part 0 declared it (`totalfilesize`), if it did. */
  totalFileSize: number | null;
  /** Name and type as part 0 declared them. */
  fileName: string;
  fileType: string;
  /** The parts stored, in the order they arrived, each at its offset in `chunks/<uuid>.bin`. */
  parts: StoredPart[];
  /** When the last part arrived (epoch ms): the upload is swept once it is older than `staleUploadMs`. */
  updatedAt: number;
}

/** One stored part: where its bytes lie in the assembled file, their MD5, and its text fields exactly as sent. */
export interface StoredPart {
  index: number;
  offset: number;
  size: number;
  md5: string;
  fields: Record<string, string>;
}

/** A received part: the bytes on disk, under a temp name or already at `placedAt` in the assembled file. */
export interface ReceivedPart {
  tempPath: string;
  placedAt?: number;
  size: number;
  md5: string;
}

const TEMP_SUFFIX = '.tmp';
const PENDING_NAME = /^([0-9a-f-]{36})\.(json|bin)$/;

/**
 * Chunked uploads in progress, under `DATA_DIR/chunks/`: part 0 becomes `<uuid>.bin` (its temp
 * file renamed), and every later part is written straight at its offset in it, in any order;
 * `<uuid>.json` (written last, under a temp name then renamed) lists the parts stored. The JSON is
 * the truth: bytes of a part it does not list (cut short by a crash) are written again by its retry.
 * Calls on one upload update its record one after the other (`withLock`); the parts' bytes are
 * written at the same time, each in its own region.
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

  /**
   * Records a part at `offset`: part 0's temp file becomes the assembled file; a later part is
   * already in place, or (received into a temp file) copied there. The upload is updated in place.
   */
  async store(
    upload: PendingUpload,
    part: ReceivedPart,
    index: number,
    offset: number,
    fields: Record<string, string>,
  ) {
    const path = this.dataPath(upload.uuid);
    if (index === 0) await rename(part.tempPath, path);
    else if (part.placedAt === undefined) {
      await pipeline(createReadStream(part.tempPath), createWriteStream(path, { flags: 'r+', start: offset }));
    } else if (part.placedAt !== offset) {
      throw new Error(`Part ${index} of ${upload.uuid} was written at ${part.placedAt}, not at its offset ${offset}.`);
    }
    upload.parts.push({ index, offset, size: part.size, md5: part.md5, fields });
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
