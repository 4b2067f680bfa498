import { createHash, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { SNIFF_BYTES } from '../src/core/sniff';
import type { ReceivedFile } from './multipart';
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

/** One stored part: where its bytes lie in the assembled file, and its text fields exactly as sent. */
export interface StoredPart {
  index: number;
  offset: number;
  size: number;
  fields: Record<string, string>;
}

/** A received part: the bytes on disk, under a temp name or already at `placedAt` in the assembled file. */
export type ReceivedPart = Pick<ReceivedFile, 'tempPath' | 'placedAt' | 'size' | 'running'>;

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
  /**
   * The MD5 of each upload's first `parts` parts: hashed as they are written while they come in
   * order, and caught up from the file when later parts were stored first (several in flight), so
   * that the done call need not read the file again. Kept in memory only; without it (a restart),
   * the done call reads the file. Absent while a part or a catch-up is adding to it.
   */
  private readonly running = new Map<string, { hash: Hash; parts: number }>();
  /** The catch-ups under way, by upload. */
  private readonly catchingUp = new Map<string, Promise<void>>();

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
    upload.parts.push({ index, offset, size: part.size, fields });
    upload.updatedAt = Date.now();
    await this.save(upload);
    // Part 0's own MD5, or the running one that a part in order was written into.
    if (part.running && (index === 0 || part.placedAt !== undefined)) {
      this.running.set(upload.uuid, { hash: part.running, parts: index + 1 });
    }
    this.catchUp(upload);
  }

  /**
   * Adds to the running MD5, from the file, the parts next in order that were stored without it
   * (they arrived while another part held it), in the background; parts stored meanwhile are added
   * too. No part takes the MD5 while this runs: they are added here after them.
   */
  private catchUp(upload: PendingUpload): void {
    const { uuid } = upload;
    const running = this.running.get(uuid);
    const next = (parts: StoredPart[]) => parts.find(({ index }) => index === running?.parts);
    if (!running || this.catchingUp.has(uuid) || !next(upload.parts)) return;
    this.running.delete(uuid);
    const work = (async () => {
      for (let parts = upload.parts, part = next(parts); part; part = next(parts)) {
        const bytes = createReadStream(this.dataPath(uuid), { start: part.offset, end: part.offset + part.size - 1 });
        for await (const chunk of bytes as AsyncIterable<Buffer>) running.hash.update(chunk);
        running.parts += 1;
        // Parts stored while this read are in the record, not in `upload`.
        if (!next(parts)) parts = (await this.find(uuid))?.parts ?? [];
      }
    })();
    const settled: Promise<void> = work.then(
      async () => {
        if (this.catchingUp.get(uuid) !== settled) return; // removed meanwhile
        this.catchingUp.delete(uuid);
        this.running.set(uuid, running);
        // A part stored after the record was last read found this under way and left its bytes to it.
        const fresh = await this.find(uuid);
        if (fresh) this.catchUp(fresh);
      },
      // A file removed meanwhile, or unreadable: the done call reads it whole.
      () => void (this.catchingUp.get(uuid) === settled && this.catchingUp.delete(uuid)),
    );
    this.catchingUp.set(uuid, settled);
  }

  /** Resolves once no catch-up of this upload's MD5 is under way. */
  async caughtUp(uuid: string): Promise<void> {
    for (let work = this.catchingUp.get(uuid); work; work = this.catchingUp.get(uuid)) await work;
  }

  /** Hands the running MD5 to part `index` if it is the next in order; taken, so that no other part writes into it. */
  takeRunningHash(uuid: string, index: number): Hash | undefined {
    const running = this.running.get(uuid);
    if (running?.parts !== index) return undefined;
    this.running.delete(uuid);
    return running.hash;
  }

  /**
   * MD5 and first bytes of the assembled file of `totalParts` parts, or of its bytes from `start` to
   * `end`; the running MD5 serves when every part came in order.
   */
  async digest(uuid: string, totalParts: number, range: { start?: number; end?: number } = {}) {
    if (range.start === undefined) await this.caughtUp(uuid);
    const running = this.running.get(uuid);
    const whole = range.start === undefined && running?.parts === totalParts;
    const hash = whole ? running.hash.copy() : createHash('md5');
    let head = Buffer.alloc(0);
    const read = whole ? { end: SNIFF_BYTES - 1 } : range;
    for await (const chunk of createReadStream(this.dataPath(uuid), read) as AsyncIterable<Buffer>) {
      if (!whole) hash.update(chunk);
      if (head.length < SNIFF_BYTES) head = Buffer.concat([head, chunk.subarray(0, SNIFF_BYTES - head.length)]);
    }
    return { md5: hash.digest('hex'), head };
  }

  /** Forgets an upload: its record first, so that a crash between the two leaves a file `open()` sweeps. */
  async remove(uuid: string): Promise<void> {
    this.running.delete(uuid);
    this.catchingUp.delete(uuid);
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
