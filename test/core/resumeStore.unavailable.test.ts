import { randomBytes } from 'node:crypto';
import { uploadMedia, type ChunkCheckpoint } from '../../src/core';
import { hasStorage, loadCheckpoint, removeCheckpoint, saveCheckpoint } from '../../src/core/resumeStore';
import { md5Of } from '../fixtures';
import { startReferenceServer, type ReferenceServer } from '../support/referenceServer';

const CHUNK = 64 * 1024;

let server: ReferenceServer;
beforeAll(async () => {
  server = await startReferenceServer();
});
afterAll(() => server.close());
afterEach(() => vi.unstubAllGlobals());

const saved: ChunkCheckpoint = {
  fileUuid: 'uuid-1',
  nextPart: 1,
  totalParts: 2,
  chunkSize: CHUNK,
  fileSize: 2 * CHUNK,
  fileName: 'clip.mp4',
  fileLastModified: 0,
  md5State: 'AAAA',
};

async function uploadsInParts() {
  const bytes = new Uint8Array(randomBytes(3 * CHUNK));
  const file = new File([bytes], 'clip.mp4', { type: 'video/mp4' });
  const checkpoints: ChunkCheckpoint[] = [];
  const result = await uploadMedia({
    baseUrl: server.url,
    token: server.token,
    file,
    chunkSize: CHUNK,
    onCheckpoint: (checkpoint) => checkpoints.push(checkpoint),
  });
  expect((await server.record(result.file_uuid)).md5).toBe(md5Of(bytes));
  expect(checkpoints.map(({ nextPart }) => nextPart)).toEqual([1, 2, 3]);
}

describe('the saved uploads store without IndexedDB', () => {
  it('is silently off where there is none (Node, SSR): nothing kept, nothing thrown', async () => {
    expect(globalThis.indexedDB).toBeUndefined();
    expect(hasStorage()).toBe(false);
    await expect(saveCheckpoint('key', saved)).resolves.toBeUndefined();
    await expect(loadCheckpoint('key')).resolves.toBeUndefined();
    await expect(removeCheckpoint('key')).resolves.toBeUndefined();
    await uploadsInParts();
  });

  it('is silently off where opening it fails (a private window refusing storage), and the upload goes on', async () => {
    const open = vi.fn(() => {
      throw new DOMException(
        'A mutation operation was attempted on a database that did not allow mutations.',
        'InvalidStateError',
      );
    });
    vi.stubGlobal('indexedDB', { open });
    expect(hasStorage()).toBe(true);
    await expect(saveCheckpoint('key', saved)).resolves.toBeUndefined();
    await expect(loadCheckpoint('key')).resolves.toBeUndefined();
    await uploadsInParts();
    // It was asked, and its failure cost the upload nothing.
    expect(open).toHaveBeenCalled();
  });
});
