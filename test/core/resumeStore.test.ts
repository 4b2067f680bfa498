import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { IDBFactory } from 'fake-indexeddb';
import { attachmentTask, uploadMedia, type UploadStep } from '../../src/core';
import {
  DEFAULT_RESUME_MAX_AGE_MS,
  loadCheckpoint,
  removeCheckpoint,
  saveCheckpoint,
  uploadKey,
} from '../../src/core/resumeStore';
import type { ChunkCheckpoint } from '../../src/core/media';
import { md5Of } from '../fixtures';
import { startRecordingProxy, type ProxyFaults, type RecordedRequest } from '../support/faultServer';
import { startReferenceServer, type ReferenceServer } from '../support/referenceServer';

/** 64 KiB parts: the file's edges (its key) and its parts are the same size here. */
const CHUNK = 64 * 1024;
const SIX_PARTS = 6 * CHUNK - 1000;
const LAST_MODIFIED = Date.UTC(2026, 0, 2);

let server: ReferenceServer;
const closing: Array<{ close: () => Promise<void> }> = [];

beforeAll(async () => {
  // One in-memory IndexedDB for the file, as a page has one; each test uses files of its own.
  vi.stubGlobal('indexedDB', new IDBFactory());
  server = await startReferenceServer();
});
afterAll(async () => {
  vi.unstubAllGlobals();
  await server.close();
});
afterEach(async () => {
  for (const other of closing.splice(0)) await other.close();
});

/** The same bytes chosen again after a reload: a new File object, with the same name, type and last change. */
function chosen(bytes: Uint8Array<ArrayBuffer>, name = 'clip.mp4', lastModified = LAST_MODIFIED) {
  return new File([bytes], name, { type: 'video/mp4', lastModified });
}

async function proxyToServer(faults?: ProxyFaults) {
  const proxy = await startRecordingProxy(server.url, faults);
  closing.push(proxy);
  return proxy;
}

const calls = (requests: RecordedRequest[]) =>
  requests.map((request) => (request.url.endsWith('?done') ? 'done' : request.fields.qqpartindex));

const keyOf = (file: File, baseUrl: string) => uploadKey(file, { baseUrl, fieldPrefix: 'qq' });

/** Sends parts 0–2 of the file, then stops, as a reload does: the checkpoint of part 2 is saved. */
async function sendThreePartsThenReload(file: File, baseUrl: string, options: { resumeAfterReload?: false } = {}) {
  const stop = new AbortController();
  const sent = uploadMedia({
    baseUrl,
    token: server.token,
    file,
    chunkSize: CHUNK,
    signal: stop.signal,
    onCheckpoint: ({ nextPart }) => nextPart === 3 && stop.abort(),
    ...options,
  });
  await expect(sent).rejects.toMatchObject({ kind: 'aborted' });
  // The save is queued before the abort is seen: wait until it is written.
  if (options.resumeAfterReload !== false)
    await vi.waitFor(async () => expect(await savedOf(file, baseUrl)).toBeDefined());
}

const savedOf = async (file: File, baseUrl: string) => loadCheckpoint(await keyOf(file, baseUrl));

function checkpoint(fields: Partial<ChunkCheckpoint> = {}): ChunkCheckpoint {
  return {
    fileUuid: 'uuid-1',
    nextPart: 2,
    totalParts: 4,
    chunkSize: CHUNK,
    fileSize: 4 * CHUNK,
    fileName: 'clip.mp4',
    fileLastModified: LAST_MODIFIED,
    md5State: 'AAAA',
    ...fields,
  };
}

describe('the saved uploads store (IndexedDB)', () => {
  it('keys a file by name, size, last change, type, endpoint, field prefix and its first and last 64 KiB', async () => {
    const bytes = new Uint8Array(randomBytes(4 * CHUNK));
    const target = { baseUrl: 'https://a.example', fieldPrefix: 'qq' };
    const key = await uploadKey(chosen(bytes), target);
    expect(await uploadKey(chosen(bytes), target)).toBe(key);

    const lastByteChanged = bytes.slice();
    lastByteChanged[bytes.length - 1]! ^= 1;
    const firstByteChanged = bytes.slice();
    firstByteChanged[0]! ^= 1;
    const others = await Promise.all([
      uploadKey(chosen(bytes, 'other.mp4'), target),
      uploadKey(chosen(bytes.subarray(1)), target),
      uploadKey(chosen(bytes, 'clip.mp4', LAST_MODIFIED + 1), target),
      uploadKey(new File([bytes], 'clip.mp4', { type: 'video/webm', lastModified: LAST_MODIFIED }), target),
      uploadKey(chosen(bytes), { ...target, baseUrl: 'https://b.example' }),
      uploadKey(chosen(bytes), { ...target, fieldPrefix: '' }),
      uploadKey(chosen(lastByteChanged), target),
      uploadKey(chosen(firstByteChanged), target),
    ]);
    expect(new Set([key, ...others]).size).toBe(1 + others.length);
  });

  it('gives back what was saved under a key, and nothing once removed', async () => {
    await saveCheckpoint('saved-and-removed', checkpoint({ nextPart: 3 }));
    expect(await loadCheckpoint('saved-and-removed')).toEqual(checkpoint({ nextPart: 3 }));
    expect(await loadCheckpoint('another-key')).toBeUndefined();
    await removeCheckpoint('saved-and-removed');
    expect(await loadCheckpoint('saved-and-removed')).toBeUndefined();
  });

  it('keeps the order of calls: a removal asked right after a save is not undone by it', async () => {
    void saveCheckpoint('raced', checkpoint());
    void removeCheckpoint('raced');
    expect(await loadCheckpoint('raced')).toBeUndefined();
  });

  it('offers a record for 24 h by default, then deletes it (and every other expired one) when looked up', async () => {
    const savedAt = 1_000_000;
    await saveCheckpoint('day-old', checkpoint(), undefined, savedAt);
    await saveCheckpoint('other-day-old', checkpoint(), undefined, savedAt);
    expect(await loadCheckpoint('day-old', undefined, savedAt + DEFAULT_RESUME_MAX_AGE_MS - 1)).toBeDefined();
    expect(await loadCheckpoint('day-old', undefined, savedAt + DEFAULT_RESUME_MAX_AGE_MS)).toBeUndefined();
    // Deleted, not only hidden: looked up as of its saving, it is gone, and so is the other one.
    expect(await loadCheckpoint('day-old', undefined, savedAt)).toBeUndefined();
    expect(await loadCheckpoint('other-day-old', undefined, savedAt)).toBeUndefined();
  });

  it('deletes each record at the age its saver gave it; a shorter age asked only hides it', async () => {
    const savedAt = 1_000_000;
    await saveCheckpoint('minute-old', checkpoint(), 60_000, savedAt);
    await saveCheckpoint('day-old', checkpoint(), undefined, savedAt);
    // A look-up after a minute drops the record saved for a minute, not the one saved for a day.
    expect(await loadCheckpoint('minute-old', undefined, savedAt + 60_000)).toBeUndefined();
    expect(await loadCheckpoint('day-old', undefined, savedAt + 60_000)).toBeDefined();
    // Asked with a 10 s age, the day-old record is not offered, and stays for a look-up that takes it.
    expect(await loadCheckpoint('day-old', 10_000, savedAt + 60_000)).toBeUndefined();
    expect(await loadCheckpoint('day-old', undefined, savedAt + 60_000)).toBeDefined();
  });
});

describe('uploadMedia resumes after a reload from what IndexedDB kept', () => {
  it('sends parts 3–5 only, with the MD5 of the whole file at done, and forgets the record once stored', async () => {
    const bytes = new Uint8Array(randomBytes(SIX_PARTS));
    const proxy = await proxyToServer();
    await sendThreePartsThenReload(chosen(bytes), proxy.url);
    expect(calls(proxy.requests())).toEqual(['0', '1', '2']);

    const steps: UploadStep[] = [];
    const progress: number[] = [];
    const again = chosen(bytes);
    const slices = vi.spyOn(Blob.prototype, 'slice');
    const result = await uploadMedia({
      baseUrl: proxy.url,
      token: server.token,
      file: again,
      chunkSize: CHUNK,
      onStep: (step) => steps.push(step),
      onProgress: ({ loaded }) => progress.push(loaded),
    });

    expect(calls(proxy.requests())).toEqual(['0', '1', '2', '3', '4', '5', 'done']);
    const uuid = proxy.requests()[0]!.fields.qquuid;
    expect(
      proxy
        .requests()
        .slice(3)
        .map((request) => request.fields.qquuid),
    ).toEqual(Array(4).fill(result.file_uuid));
    expect(uuid).toBeUndefined();
    expect(proxy.requests().at(-1)?.fields.qqmd5).toBe(md5Of(bytes));
    expect((await server.record(result.file_uuid)).md5).toBe(md5Of(bytes));
    // The first part sent says where the upload went on from: 3 of 6 parts, by bytes.
    expect(steps).toEqual([
      { name: 'part', index: 3, count: 6, resumedAt: Math.round((100 * 3 * CHUNK) / SIX_PARTS) },
      { name: 'part', index: 4, count: 6 },
      { name: 'part', index: 5, count: 6 },
    ]);
    expect(progress[0]).toBe(3 * CHUNK);
    // The MD5 of parts 0–2 came from the saved state: parts 1 and 2 were not read again (part 0 is the key's first 64 KiB).
    const starts = slices.mock.calls.map(([start]) => start);
    slices.mockRestore();
    expect(starts).toContain(3 * CHUNK);
    expect(starts.filter((start) => start === CHUNK || start === 2 * CHUNK)).toEqual([]);
    expect(await savedOf(again, proxy.url)).toBeUndefined();
  });

  it('starts a different file of the same name, size and last change from part 0', async () => {
    const proxy = await proxyToServer();
    await sendThreePartsThenReload(chosen(new Uint8Array(randomBytes(SIX_PARTS))), proxy.url);
    const other = new Uint8Array(randomBytes(SIX_PARTS));

    const result = await uploadMedia({
      baseUrl: proxy.url,
      token: server.token,
      file: chosen(other),
      chunkSize: CHUNK,
    });

    expect(calls(proxy.requests()).slice(3)).toEqual(['0', '1', '2', '3', '4', '5', 'done']);
    expect((await server.record(result.file_uuid)).md5).toBe(md5Of(other));
  });

  it('starts over from part 0, once, and says so, when the server no longer knows the saved upload', async () => {
    const bytes = new Uint8Array(randomBytes(SIX_PARTS));
    const proxy = await proxyToServer();
    await sendThreePartsThenReload(chosen(bytes), proxy.url);
    const forgotten = (await savedOf(chosen(bytes), proxy.url))!.fileUuid;
    // The server swept it (as after `staleUploadMs`).
    await rm(join(server.dataDir, 'chunks', `${forgotten}.json`));
    await rm(join(server.dataDir, 'chunks', `${forgotten}.bin`));

    const steps: UploadStep[] = [];
    const result = await uploadMedia({
      baseUrl: proxy.url,
      token: server.token,
      file: chosen(bytes),
      chunkSize: CHUNK,
      onStep: (step) => steps.push(step),
    });

    expect(calls(proxy.requests()).slice(3)).toEqual(['3', '0', '1', '2', '3', '4', '5', 'done']);
    expect(result.file_uuid).not.toBe(forgotten);
    expect((await server.record(result.file_uuid)).md5).toBe(md5Of(bytes));
    expect(steps.filter((step) => step.name === 'part' && step.restarted)).toEqual([
      { name: 'part', index: 0, count: 6, restarted: true },
    ]);
    expect(await savedOf(chosen(bytes), proxy.url)).toBeUndefined();
  });

  it('fails when the upload started over is refused too: it starts over once, not again and again', async () => {
    const bytes = new Uint8Array(randomBytes(SIX_PARTS));
    const refusePart3: ProxyFaults = {
      answer: ({ fields }) =>
        fields.qqpartindex === '3' ? { status: 400, body: '{"error":"Part 3 is not wanted"}' } : undefined,
    };
    const proxy = await proxyToServer(refusePart3);
    const key = await keyOf(chosen(bytes), proxy.url);
    await sendThreePartsThenReload(chosen(bytes), proxy.url);

    const sent = uploadMedia({ baseUrl: proxy.url, token: server.token, file: chosen(bytes), chunkSize: CHUNK });

    await expect(sent).rejects.toMatchObject({ kind: 'rejected', status: 400 });
    expect(calls(proxy.requests()).slice(3)).toEqual(['3', '0', '1', '2', '3']);
    // A failure keeps what the new upload stored, for a retry.
    expect(await loadCheckpoint(key)).toMatchObject({ nextPart: 3 });
  });

  it('with resumeAfterReload: false, saves nothing and starts from part 0', async () => {
    const bytes = new Uint8Array(randomBytes(SIX_PARTS));
    const proxy = await proxyToServer();
    await sendThreePartsThenReload(chosen(bytes), proxy.url, { resumeAfterReload: false });
    expect(await savedOf(chosen(bytes), proxy.url)).toBeUndefined();

    await uploadMedia({ baseUrl: proxy.url, token: server.token, file: chosen(bytes), chunkSize: CHUNK });

    expect(calls(proxy.requests()).slice(3)).toEqual(['0', '1', '2', '3', '4', '5', 'done']);
  });

  it('offers a saved upload no longer than maxAgeMs', async () => {
    const bytes = new Uint8Array(randomBytes(SIX_PARTS));
    const proxy = await proxyToServer();
    await sendThreePartsThenReload(chosen(bytes), proxy.url);
    await new Promise((done) => setTimeout(done, 20));

    await uploadMedia({
      baseUrl: proxy.url,
      token: server.token,
      file: chosen(bytes),
      chunkSize: CHUNK,
      resumeAfterReload: { maxAgeMs: 10 },
    });

    expect(calls(proxy.requests()).slice(3)).toEqual(['0', '1', '2', '3', '4', '5', 'done']);
  });

  it("forgets a file's saved upload when the attachment task discards it (a cancel)", async () => {
    const bytes = new Uint8Array(randomBytes(SIX_PARTS));
    const proxy = await proxyToServer();
    await sendThreePartsThenReload(chosen(bytes), proxy.url);
    const task = attachmentTask({ baseUrl: proxy.url, chunkSize: CHUNK });

    task.discard?.(chosen(bytes));

    await vi.waitFor(async () => expect(await savedOf(chosen(bytes), proxy.url)).toBeUndefined());
  });
});
