// @vitest-environment node
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { ChunkStore, type PendingUpload } from '../../server/chunks';
import { md5Of } from '../fixtures';

const PART = 64 * 1024;
let dataDir = '';

afterEach(() => rm(dataDir, { recursive: true, force: true }));

it('catches its running MD5 up with parts stored out of order, so that done need not read the file', async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'chunk-store-'));
  const chunks = new ChunkStore(dataDir);
  await chunks.open();
  const parts = [randomBytes(PART), randomBytes(PART), randomBytes(PART), randomBytes(PART)];
  const upload: PendingUpload = {
    uuid: randomUUID(),
    totalParts: parts.length,
    totalFileSize: PART * parts.length,
    fileName: 'clip.mp4',
    fileType: 'video/mp4',
    parts: [],
    updatedAt: Date.now(),
  };
  const temp = join(dataDir, 'part0');
  await writeFile(temp, parts[0]!);
  await chunks.store(upload, { tempPath: temp, size: PART, running: createHash('md5').update(parts[0]!) }, 0, 0, {});
  /** A later part written at its place, as the server writes it, with the running MD5 when it took it. */
  const place = async (index: number, hashed: boolean) => {
    const running = hashed ? chunks.takeRunningHash(upload.uuid, index) : undefined;
    if (hashed) expect(running).toBeDefined();
    running?.update(parts[index]!);
    const file = await open(chunks.dataPath(upload.uuid), 'r+');
    await file.write(parts[index]!, 0, PART, index * PART);
    await file.close();
    await chunks.store(upload, { tempPath: '', placedAt: index * PART, size: PART, running }, index, index * PART, {});
  };
  // Parts 2 and 3 arrive while part 1 holds the MD5 (three in flight), and are stored first.
  await place(2, false);
  await place(3, false);
  expect(chunks.takeRunningHash(upload.uuid, 2)).toBeUndefined();
  await place(1, true);
  await chunks.caughtUp(upload.uuid);
  expect(chunks.takeRunningHash(upload.uuid, 4)?.digest('hex')).toBe(md5Of(Buffer.concat(parts)));
});
