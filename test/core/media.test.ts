import { randomBytes } from 'node:crypto';
import {
  DEFAULT_CHUNK_SIZE,
  uploadMedia,
  uploadThumbnail,
  type ChunkCheckpoint,
  type RetryInfo,
  type UploadProgress,
} from '../../src/core';
import { md5Of, pngFile } from '../fixtures';
import {
  startFaultServer,
  startRecordingProxy,
  startScriptedServer,
  type CannedAnswer,
  type ProxyFaults,
  type RecordedRequest,
} from '../support/faultServer';
import { failure } from '../support/failure';
import { startReferenceServer, type ReferenceServer } from '../support/referenceServer';

const MiB = 1024 * 1024;
/** Small parts keep the tests that are not about size quick; the 23 MiB test uses the default. */
const CHUNK = 64 * 1024;
const fast = { baseDelayMs: 10, maxDelayMs: 2000 };

let server: ReferenceServer;
const closing: Array<{ close: () => Promise<void> }> = [];

beforeAll(async () => {
  server = await startReferenceServer();
});
afterAll(() => server.close());
afterEach(async () => {
  for (const other of closing.splice(0)) await other.close();
});

/** Random bytes (generated, never committed) as a File of the test environment. */
function mediaFile(size: number, name = 'clip.mp4', type = 'video/mp4') {
  const bytes = new Uint8Array(randomBytes(size));
  return { bytes, file: new File([bytes], name, { type }) };
}

async function proxyToServer(faults?: ProxyFaults) {
  const proxy = await startRecordingProxy(server.url, faults);
  closing.push(proxy);
  return proxy;
}

/** Which call each request was: its part index, or `done`. */
const calls = (requests: RecordedRequest[], prefix = 'qq') =>
  requests.map((request) => (request.url.endsWith('?done') ? 'done' : request.fields[`${prefix}partindex`]));

/** Fails unless every report is over the whole file, never goes back and ends at the file's size. */
function expectWholeFileProgress(progress: UploadProgress[], size: number) {
  expect(progress.length).toBeGreaterThan(0);
  expect(new Set(progress.map((event) => event.total))).toEqual(new Set([size]));
  const loaded = progress.map((event) => event.loaded);
  expect(loaded).toEqual([...loaded].sort((a, b) => a - b));
  expect(loaded.at(-1)).toBe(size);
}

async function expectStored(uuid: string, bytes: Uint8Array) {
  const stored = await server.storedBytes(uuid);
  expect(stored.length).toBe(bytes.length);
  // Compared whole, not with toEqual: a diff of 23 MiB would take minutes to print.
  expect(Buffer.compare(stored, bytes)).toBe(0);
}

describe('uploadMedia in chunks, against the reference server', () => {
  it('sends a 23 MiB file in 5 parts with the protocol fields, then done with its MD5; reassembled byte for byte', async () => {
    const { bytes, file } = mediaFile(23 * MiB);
    const progress: UploadProgress[] = [];
    const checkpoints: ChunkCheckpoint[] = [];
    const result = await uploadMedia({
      baseUrl: server.url,
      token: server.token,
      file,
      onProgress: (event) => progress.push(event),
      onCheckpoint: (checkpoint) => checkpoints.push(checkpoint),
    });

    const uuid = result.file_uuid;
    expect(result).toEqual({ file_uuid: uuid, file_url: `${server.url}/files/${uuid}.mp4` });
    const record = await server.record(uuid);
    expect(record.parts).toEqual(
      [0, 1, 2, 3, 4].map((part) => ({
        qqpartindex: String(part),
        qqtotalparts: '5',
        ...(part > 0 && { qquuid: uuid }),
        qqpartbyteoffset: String(part * DEFAULT_CHUNK_SIZE),
        qqchunksize: String(part < 4 ? 5 * MiB : 3 * MiB),
        qqtotalfilesize: String(23 * MiB),
        qqfilename: 'clip.mp4',
        qqfiletype: 'video/mp4',
      })),
    );
    expect(record.fields).toEqual({
      qquuid: uuid,
      qqfilename: 'clip.mp4',
      qqtotalparts: '5',
      qqmd5: md5Of(bytes),
      qqfiletype: 'video/mp4',
      qqtotalfilesize: String(23 * MiB),
    });
    expect(record).toMatchObject({ kind: 'media', size: bytes.length, md5: md5Of(bytes), type: 'video/mp4' });
    await expectStored(uuid, bytes);
    expect(md5Of(new Uint8Array(await (await fetch(result.file_url)).arrayBuffer()))).toBe(md5Of(bytes));

    expectWholeFileProgress(progress, bytes.length);
    expect(checkpoints.map(({ fileUuid, nextPart }) => [fileUuid, nextPart])).toEqual(
      [1, 2, 3, 4, 5].map((next) => [uuid, next]),
    );
  }, 60_000);

  it('retries a failed part alone, without sending the parts before it again', async () => {
    const { bytes, file } = mediaFile(5 * CHUNK - 10);
    let failed = false;
    const proxy = await proxyToServer({
      answer: ({ fields }) => {
        if (fields.qqpartindex !== '2' || failed) return undefined;
        failed = true;
        return { status: 503, body: JSON.stringify({ error: 'busy' }) };
      },
    });
    const retries: RetryInfo[] = [];
    const result = await uploadMedia({
      baseUrl: proxy.url,
      token: server.token,
      file,
      chunkSize: CHUNK,
      retry: fast,
      onRetry: (info) => retries.push(info),
    });

    expect(calls(proxy.requests())).toEqual(['0', '1', '2', '2', '3', '4', 'done']);
    expect(retries.map(({ attempt, error }) => [attempt, error.status])).toEqual([[2, 503]]);
    expect((await server.record(result.file_uuid)).parts?.map((part) => part.qqpartindex)).toEqual([
      '0',
      '1',
      '2',
      '3',
      '4',
    ]);
    await expectStored(result.file_uuid, bytes);
  });

  it('pauses after part 2 and resumes from a stored checkpoint with parts 3 to 5 only', async () => {
    const { bytes, file } = mediaFile(5 * CHUNK - 10);
    const proxy = await proxyToServer();
    const controller = new AbortController();
    let checkpoint: ChunkCheckpoint | undefined;
    const progress: UploadProgress[] = [];
    const paused = await failure(
      uploadMedia({
        baseUrl: proxy.url,
        token: server.token,
        file,
        chunkSize: CHUNK,
        signal: controller.signal,
        onProgress: (event) => progress.push(event),
        onCheckpoint: (reached) => {
          checkpoint = reached;
          if (reached.nextPart === 2) controller.abort();
        },
      }),
    );
    expect(paused.kind).toBe('aborted');
    expect(calls(proxy.requests())).toEqual(['0', '1']);
    expect(checkpoint).toMatchObject({ nextPart: 2, totalParts: 5, chunkSize: CHUNK, fileSize: file.size });

    // Kept as JSON (say in localStorage) and read back; the chunk size comes from it.
    const stored = JSON.parse(JSON.stringify(checkpoint)) as ChunkCheckpoint;
    const result = await uploadMedia({
      baseUrl: proxy.url,
      token: server.token,
      file,
      resume: stored,
      onProgress: (event) => progress.push(event),
    });

    expect(calls(proxy.requests())).toEqual(['0', '1', '2', '3', '4', 'done']);
    expect(result.file_uuid).toBe(stored.fileUuid);
    expect((await server.record(result.file_uuid)).md5).toBe(md5Of(bytes));
    await expectStored(result.file_uuid, bytes);
    // Both runs together: from 0 to the pause, then on from there to the end.
    expectWholeFileProgress(progress, file.size);
  });

  it('resumes a pause that cut a part short after the server had stored it, storing that part once', async () => {
    const { bytes, file } = mediaFile(5 * CHUNK - 10);
    let swallowed = false;
    const proxy = await proxyToServer({
      swallowAnswer: ({ fields }) => fields.qqpartindex === '2' && !swallowed && (swallowed = true),
    });
    const controller = new AbortController();
    let checkpoint: ChunkCheckpoint | undefined;
    const pending = uploadMedia({
      baseUrl: proxy.url,
      token: server.token,
      file,
      chunkSize: CHUNK,
      signal: controller.signal,
      onCheckpoint: (reached) => (checkpoint = reached),
    });
    // Part 2 is stored, but its answer is still on the way when the person pauses.
    await vi.waitFor(() => expect(proxy.swallowed()).toBe(1));
    controller.abort();
    expect((await failure(pending)).kind).toBe('aborted');
    expect(checkpoint?.nextPart).toBe(2);

    const result = await uploadMedia({ baseUrl: proxy.url, token: server.token, file, resume: checkpoint });
    // Part 2 is sent again (the client cannot know it arrived) and answered again, not stored twice.
    expect(calls(proxy.requests())).toEqual(['0', '1', '2', '2', '3', '4', 'done']);
    expect((await server.record(result.file_uuid)).parts?.map((part) => part.qqpartindex)).toEqual([
      '0',
      '1',
      '2',
      '3',
      '4',
    ]);
    await expectStored(result.file_uuid, bytes);
  });

  it('sends the unprefixed field names when fieldPrefix is empty', async () => {
    const { bytes, file } = mediaFile(2 * CHUNK);
    const result = await uploadMedia({
      baseUrl: server.url,
      token: server.token,
      file,
      chunkSize: CHUNK,
      fieldPrefix: '',
    });
    const record = await server.record(result.file_uuid);
    expect(record.parts?.map((part) => Object.keys(part))).toEqual([
      ['partindex', 'totalparts', 'partbyteoffset', 'chunksize', 'totalfilesize', 'filename', 'filetype'],
      ['partindex', 'totalparts', 'uuid', 'partbyteoffset', 'chunksize', 'totalfilesize', 'filename', 'filetype'],
    ]);
    expect(Object.keys(record.fields)).toEqual(['uuid', 'filename', 'totalparts', 'md5', 'filetype', 'totalfilesize']);
    expect(record.md5).toBe(md5Of(bytes));
  });

  it('gives a chunked media that takes a thumbnail', async () => {
    const { file } = mediaFile(3 * CHUNK);
    const media = await uploadMedia({ baseUrl: server.url, token: server.token, file, chunkSize: CHUNK });
    const thumbnail = await uploadThumbnail({
      baseUrl: server.url,
      token: server.token,
      file: pngFile(),
      parentUuid: media.file_uuid,
    });
    expect(thumbnail.parent_file_uuid).toBe(media.file_uuid);
  });

  it('keeps a refreshed token for the parts after the 401', async () => {
    const seen: string[] = [];
    const answers = [
      { status: 401, body: '{}' },
      { status: 200, body: JSON.stringify({ file_uuid: 'u' }) },
      { status: 200, body: JSON.stringify({ file_uuid: 'u' }) },
      { status: 200, body: JSON.stringify({ file_url: '/m.mp4', file_uuid: 'u' }) },
    ];
    const recording = await startFaultServer((req, res) => {
      seen.push(String(req.headers.authorization));
      const answer = answers[seen.length - 1]!;
      req.resume();
      req.on('end', () => res.writeHead(answer.status, { 'Content-Type': 'application/json' }).end(answer.body));
    });
    closing.push(recording);
    const refreshToken = vi.fn(async () => 'fresh');
    const { file } = mediaFile(2 * CHUNK);
    await uploadMedia({ baseUrl: recording.url, token: 'stale', refreshToken, file, chunkSize: CHUNK });
    expect(seen).toEqual(['Bearer stale', 'Bearer fresh', 'Bearer fresh', 'Bearer fresh']);
    expect(refreshToken).toHaveBeenCalledTimes(1);
  });
});

/** Fails unless the timeline shows part 0 alone first, at most `most` parts at once after it, and done after every part. */
function expectPartsInFlight(timeline: string[], most: number) {
  expect(timeline.slice(0, 2)).toEqual(['>0', '<0']);
  let open = 0;
  let highest = 0;
  for (const event of timeline.slice(2, timeline.indexOf('>done'))) {
    open += event.startsWith('>') ? 1 : -1;
    highest = Math.max(highest, open);
  }
  expect(highest).toBe(most);
  expect(open).toBe(0);
  expect(timeline.slice(-2)).toEqual(['>done', '<done']);
}

describe('uploadMedia with parts in flight at once (partConcurrency)', () => {
  it('sends part 0 alone, then 3 parts at once, and the done call after all; stored byte for byte with the right MD5', async () => {
    const { bytes, file } = mediaFile(8 * CHUNK - 99);
    // Parts answered late, part 1 the latest: the later ones finish before it.
    const proxy = await proxyToServer({ delay: ({ fields }) => (fields.qqpartindex === '1' ? 150 : 30) });
    const checkpoints: ChunkCheckpoint[] = [];
    const progress: UploadProgress[] = [];
    const result = await uploadMedia({
      baseUrl: proxy.url,
      token: server.token,
      file,
      chunkSize: CHUNK,
      partConcurrency: 3,
      onCheckpoint: (checkpoint) => checkpoints.push(checkpoint),
      onProgress: (event) => progress.push(event),
    });

    expectPartsInFlight(proxy.timeline(), 3);
    expect(proxy.mostInFlight()).toBe(3);
    expect((await server.record(result.file_uuid)).md5).toBe(md5Of(bytes));
    await expectStored(result.file_uuid, bytes);
    expectWholeFileProgress(progress, file.size);
    // Parts stored past a part still on the way are listed, never counted in nextPart before it.
    expect(checkpoints.some(({ nextPart, storedParts }) => nextPart === 1 && storedParts?.includes(2))).toBe(true);
    for (const { nextPart, storedParts = [] } of checkpoints) {
      expect(storedParts.every((part) => part > nextPart)).toBe(true);
    }
    expect(checkpoints.at(-1)).toMatchObject({ nextPart: 8, totalParts: 8 });
    expect(checkpoints.at(-1)?.storedParts).toBeUndefined();
  });

  it('reads and hashes the next part while one is on the wire, in series by default', async () => {
    const { bytes, file } = mediaFile(4 * CHUNK);
    const reads = vi.spyOn(Blob.prototype, 'arrayBuffer');
    const readsWhenReceived: number[] = [];
    const proxy = await proxyToServer({
      delay: ({ fields }) => {
        if (fields.qqpartindex !== undefined) readsWhenReceived.push(reads.mock.calls.length);
        return 20;
      },
    });
    const result = await uploadMedia({ baseUrl: proxy.url, token: server.token, file, chunkSize: CHUNK });

    expect(proxy.mostInFlight()).toBe(1);
    // When part n has arrived whole, and its answer is still held, part n + 1 has been read already.
    expect(readsWhenReceived).toEqual([2, 3, 4, 4]);
    expect((await server.record(result.file_uuid)).md5).toBe(md5Of(bytes));
  });

  it('retries a failed part alone while the others go on', async () => {
    const { bytes, file } = mediaFile(6 * CHUNK);
    let failed = false;
    const proxy = await proxyToServer({
      answer: ({ fields }) => {
        if (fields.qqpartindex !== '3' || failed) return undefined;
        failed = true;
        return { status: 503, body: JSON.stringify({ error: 'busy' }) };
      },
    });
    const result = await uploadMedia({
      baseUrl: proxy.url,
      token: server.token,
      file,
      chunkSize: CHUNK,
      partConcurrency: 2,
      retry: fast,
    });
    expect(calls(proxy.requests()).sort()).toEqual(['0', '1', '2', '3', '3', '4', '5', 'done']);
    await expectStored(result.file_uuid, bytes);
  });

  it('pauses with parts in flight, and resumes sending only the parts not stored, out of order, MD5 right', async () => {
    const { bytes, file } = mediaFile(8 * CHUNK - 5);
    // Part 2 is held (the first time) while 3 and 4 are stored; the pause comes then.
    let held = false;
    const proxy = await proxyToServer({
      delay: ({ fields }) => (fields.qqpartindex === '2' && !held && (held = true) ? 1000 : 10),
    });
    const controller = new AbortController();
    let checkpoint: ChunkCheckpoint | undefined;
    const paused = await failure(
      uploadMedia({
        baseUrl: proxy.url,
        token: server.token,
        file,
        chunkSize: CHUNK,
        partConcurrency: 3,
        signal: controller.signal,
        onCheckpoint: (reached) => {
          checkpoint = reached;
          if (reached.nextPart === 2 && [3, 4].every((part) => reached.storedParts?.includes(part))) controller.abort();
        },
      }),
    );
    expect(paused.kind).toBe('aborted');
    expect(checkpoint).toMatchObject({ nextPart: 2, storedParts: expect.arrayContaining([3, 4]) as number[] });
    const before = proxy.requests().length;
    // Those stored out of order are not sent again: 5 or 6 may have been too, on a busy machine.
    const left = [2, 5, 6, 7].filter((part) => !checkpoint?.storedParts?.includes(part)).map(String);

    const stored = JSON.parse(JSON.stringify(checkpoint)) as ChunkCheckpoint;
    const result = await uploadMedia({
      baseUrl: proxy.url,
      token: server.token,
      file,
      resume: stored,
      partConcurrency: 3,
    });
    expect(calls(proxy.requests().slice(before)).sort()).toEqual([...left, 'done']);
    expect((await server.record(result.file_uuid)).md5).toBe(md5Of(bytes));
    await expectStored(result.file_uuid, bytes);
  });

  it('stops the parts in flight when one fails for good, and refuses a partConcurrency that is not a whole number above 0', async () => {
    const { file } = mediaFile(6 * CHUNK);
    const proxy = await proxyToServer({
      // Part 2 fails once parts 1 and 3 are surely sent (each is hashed before it goes), and before they are answered.
      delay: ({ fields }) => ({ '0': 0, '2': 150 })[fields.qqpartindex ?? ''] ?? 600,
      answer: ({ fields }) => (fields.qqpartindex === '2' ? { status: 400, body: '{"error":"bad part"}' } : undefined),
    });
    const error = await failure(
      uploadMedia({ baseUrl: proxy.url, token: server.token, file, chunkSize: CHUNK, partConcurrency: 3 }),
    );
    expect(error).toMatchObject({ kind: 'rejected', status: 400 });
    // Parts 1 and 3 were cut off, and nothing was sent after the failure.
    expect(calls(proxy.requests()).sort()).toEqual(['0', '1', '2', '3']);
    for (const partConcurrency of [0, 1.5]) {
      await expect(uploadMedia({ baseUrl: proxy.url, file, chunkSize: CHUNK, partConcurrency })).rejects.toThrow(
        RangeError,
      );
    }
  });
});

describe('uploadMedia in one request', () => {
  it('sends a file up to chunkThreshold whole, with its MD5 and duration, progress over the file', async () => {
    const { bytes, file } = mediaFile(CHUNK, 'song.mp3', 'audio/mpeg');
    const progress: UploadProgress[] = [];
    const result = await uploadMedia({
      baseUrl: server.url,
      token: server.token,
      file,
      chunkSize: CHUNK,
      duration: 12,
      onProgress: (event) => progress.push(event),
    });
    const record = await server.record(result.file_uuid);
    expect(record.parts).toBeUndefined();
    expect(record.fields).toEqual({
      qqfilename: 'song.mp3',
      qqfiletype: 'audio/mpeg',
      qqtotalfilesize: String(CHUNK),
      qqmd5: md5Of(bytes),
      qqduration: '12',
    });
    expect(result.file_url).toBe(`${server.url}/files/${result.file_uuid}.mp3`);
    await expectStored(result.file_uuid, bytes);
    expectWholeFileProgress(progress, CHUNK);
  });
});

describe('uploadMedia refuses', () => {
  it('an empty file, before sending anything', async () => {
    const send = vi.spyOn(XMLHttpRequest.prototype, 'send');
    const error = await failure(uploadMedia({ baseUrl: server.url, file: new File([], 'empty.mp4') }));
    expect(error.kind).toBe('invalid-file');
    expect(send).not.toHaveBeenCalled();
  });

  it('to resume with another file than the one paused, even of the same size, before sending anything', async () => {
    const size = 2 * CHUNK;
    const paused = new File([randomBytes(size)], 'clip.mp4', { type: 'video/mp4', lastModified: 1000 });
    const controller = new AbortController();
    let checkpoint: ChunkCheckpoint | undefined;
    await failure(
      uploadMedia({
        baseUrl: server.url,
        token: server.token,
        file: paused,
        chunkSize: CHUNK,
        signal: controller.signal,
        onCheckpoint: (reached) => {
          checkpoint = reached;
          controller.abort();
        },
      }),
    );
    expect(checkpoint).toMatchObject({ nextPart: 1, fileName: 'clip.mp4', fileLastModified: 1000 });
    const resume = checkpoint!;
    const otherBytes = randomBytes(size);
    const others = [
      new File([otherBytes], 'clip.mp4', { type: 'video/mp4', lastModified: 2000 }),
      new File([otherBytes], 'other.mp4', { type: 'video/mp4', lastModified: 1000 }),
      new File([otherBytes.subarray(1)], 'clip.mp4', { type: 'video/mp4', lastModified: 1000 }),
    ];
    const send = vi.spyOn(XMLHttpRequest.prototype, 'send');
    for (const file of others) {
      const error = await failure(uploadMedia({ baseUrl: server.url, token: server.token, file, resume }));
      expect(error).toMatchObject({ kind: 'invalid-file', details: { reason: 'not-resumable' } });
    }
    // The right file with a damaged checkpoint is refused too.
    const damaged = { ...resume, md5State: '' };
    const error = await failure(
      uploadMedia({ baseUrl: server.url, token: server.token, file: paused, resume: damaged }),
    );
    expect(error.details.reason).toBe('not-resumable');
    expect(send).not.toHaveBeenCalled();
  });

  const ok = (body: object): CannedAnswer => ({ status: 200, body: JSON.stringify(body) });
  it.each([
    ['a part answered without file_uuid', [ok({})]],
    ['a later part answered with another file_uuid', [ok({ file_uuid: 'a' }), ok({ file_uuid: 'b' })]],
    [
      'a done answered with a javascript: file_url',
      [ok({ file_uuid: 'a' }), ok({ file_uuid: 'a' }), ok({ file_url: 'javascript:alert(1)', file_uuid: 'a' })],
    ],
    ['a done answered without file_url', [ok({ file_uuid: 'a' }), ok({ file_uuid: 'a' }), ok({ file_uuid: 'a' })]],
  ])('%s as a bad response', async (_name, answers) => {
    const scripted = await startScriptedServer(...answers);
    closing.push(scripted);
    const { file } = mediaFile(2 * CHUNK);
    const error = await failure(uploadMedia({ baseUrl: scripted.url, file, chunkSize: CHUNK, retry: false }));
    expect(error.kind).toBe('bad-response');
    expect(scripted.counts().started).toBe(answers.length);
  });
});
