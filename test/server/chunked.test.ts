// @vitest-environment node
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer, type ServerOptions } from '../../server/app';
import type { PendingUpload } from '../../server/chunks';
import type { StoredUpload } from '../../server/store';
import { UPLOAD_PATH } from '../../src/core/protocol';
import { makePng, md5Of } from '../fixtures';
import { formOf, type FormValue } from './helpers';

const PART = 1000;

let server: RunningServer;
const extraServers: RunningServer[] = [];

beforeAll(async () => {
  server = await startServer({ port: 0, dataDir: await mkdtemp(join(tmpdir(), 'upload-chunks-')) });
});

afterAll(async () => {
  await server.close();
  await rm(server.dataDir, { recursive: true, force: true });
});

afterEach(async () => {
  for (const extra of extraServers.splice(0)) {
    await extra.close();
    await rm(extra.dataDir, { recursive: true, force: true });
  }
});

/** One more server, closed and its data deleted after the test; on a fresh folder unless told. */
async function otherServer(options: ServerOptions = {}) {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'upload-chunks-other-')));
  const started = await startServer({ port: 0, ...options, dataDir });
  extraServers.push(started);
  return started;
}

function post(fields: Record<string, FormValue>, query = '', to = server) {
  return fetch(to.url + UPLOAD_PATH + query, {
    method: 'POST',
    headers: { Authorization: `Bearer ${to.token}` },
    body: formOf(fields),
  });
}

/** The fields of part `index` of `bytes`, as the library sends them. */
function partFields(bytes: Uint8Array<ArrayBuffer>, index: number, uuid?: string, prefix = 'qq') {
  const chunk = bytes.subarray(index * PART, (index + 1) * PART);
  const fields: Record<string, FormValue> = {
    [`${prefix}partindex`]: String(index),
    [`${prefix}totalparts`]: String(Math.ceil(bytes.length / PART)),
    ...(uuid === undefined ? {} : { [`${prefix}uuid`]: uuid }),
    [`${prefix}partbyteoffset`]: String(index * PART),
    [`${prefix}chunksize`]: String(chunk.length),
    [`${prefix}totalfilesize`]: String(bytes.length),
    [`${prefix}filename`]: 'clip.mp4',
    [`${prefix}filetype`]: 'video/mp4',
    [`${prefix}file`]: { bytes: new Uint8Array(chunk), type: 'video/mp4', name: 'clip.mp4' },
  };
  return fields;
}

function doneFields(bytes: Uint8Array, uuid: string, md5 = md5Of(bytes)): Record<string, FormValue> {
  return {
    qquuid: uuid,
    qqfilename: 'clip.mp4',
    qqtotalparts: String(Math.ceil(bytes.length / PART)),
    qqmd5: md5,
    qqfiletype: 'video/mp4',
    qqtotalfilesize: String(bytes.length),
  };
}

async function sendPart(bytes: Uint8Array<ArrayBuffer>, index: number, uuid?: string, to = server) {
  const res = await post(partFields(bytes, index, uuid), '', to);
  expect(res.status).toBe(200);
  const answer = (await res.json()) as { file_uuid: string };
  expect(Object.keys(answer)).toEqual(['file_uuid']);
  return answer.file_uuid;
}

/** Parts `0 .. count-1` of `bytes`, in order; resolves with the upload's uuid. */
async function sendParts(bytes: Uint8Array<ArrayBuffer>, count: number, to = server) {
  const uuid = await sendPart(bytes, 0, undefined, to);
  for (let index = 1; index < count; index += 1) expect(await sendPart(bytes, index, uuid, to)).toBe(uuid);
  return uuid;
}

async function expectError(res: Response, status: number, message: RegExp) {
  expect(res.status).toBe(status);
  expect(((await res.json()) as { error: string }).error).toMatch(message);
}

const randomFile = (size: number) => new Uint8Array(randomBytes(size));
const pending = async (dataDir: string) => (await readdir(join(dataDir, 'chunks'))).sort();

describe('chunked media', () => {
  it('assembles the parts in order into one media, checked at done, with a record of every part', async () => {
    const bytes = randomFile(3 * PART - 123);
    const uuid = await sendParts(bytes, 3);
    expect(await pending(server.dataDir)).toEqual([`${uuid}.bin`, `${uuid}.json`]);

    const res = await post(doneFields(bytes, uuid), '?done');
    expect(res.status).toBe(200);
    const media = (await res.json()) as { file_url: string; file_uuid: string };
    expect(media).toEqual({ file_uuid: uuid, file_url: `${server.url}/files/${uuid}.mp4` });
    expect(new Uint8Array(await (await fetch(media.file_url)).arrayBuffer())).toEqual(bytes);
    expect(await pending(server.dataDir)).toEqual([]);

    const record = JSON.parse(await readFile(join(server.dataDir, 'meta', `${uuid}.json`), 'utf8')) as StoredUpload;
    expect(record).toMatchObject({ kind: 'media', size: bytes.length, md5: md5Of(bytes), originalName: 'clip.mp4' });
    expect(record.fields).toEqual(doneFields(bytes, uuid));
    expect(record.parts?.map((fields) => fields.qqpartindex)).toEqual(['0', '1', '2']);
    expect(record.parts?.[2]).toEqual({
      qqpartindex: '2',
      qqtotalparts: '3',
      qquuid: uuid,
      qqpartbyteoffset: String(2 * PART),
      qqchunksize: String(PART - 123),
      qqtotalfilesize: String(bytes.length),
      qqfilename: 'clip.mp4',
      qqfiletype: 'video/mp4',
    });
  });

  it('places a last part sent without its chunksize where the declared size puts it, and refuses it longer', async () => {
    const bytes = randomFile(3 * PART - 123);
    const uuid = await sendParts(bytes, 2);
    const { qqchunksize: _size, ...last } = partFields(bytes, 2, uuid);
    const longer = { ...last, qqfile: { bytes: randomFile(PART - 122), type: 'video/mp4', name: 'clip.mp4' } };
    // In place, the region is the rest of the declared file: a byte more is refused as it arrives.
    await expectError(await post(longer), 400, new RegExp(`larger than its ${PART - 123} bytes`));
    expect((await post(last)).status).toBe(200);

    const res = await post(doneFields(bytes, uuid), '?done');
    expect(res.status).toBe(200);
    const media = (await res.json()) as { file_url: string };
    expect(new Uint8Array(await (await fetch(media.file_url)).arrayBuffer())).toEqual(bytes);
  });

  it('takes a thumbnail of a chunked media once it is done, and refuses one before (404)', async () => {
    const bytes = randomFile(2 * PART);
    const uuid = await sendParts(bytes, 2);
    const thumbnail = { qqparentuuid: uuid, qqfile: { bytes: makePng(), type: 'image/png', name: 't.png' } };
    await expectError(await post(thumbnail), 404, /still being uploaded in chunks.*\?done/);

    expect((await post(doneFields(bytes, uuid), '?done')).status).toBe(200);
    const res = await post(thumbnail);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { parent_file_uuid: string }).parent_file_uuid).toBe(uuid);
  });

  it('answers a done sent again with the same media, and a part sent again (its answer lost) without storing it twice', async () => {
    const bytes = randomFile(2 * PART);
    const uuid = await sendParts(bytes, 2);
    expect(await sendPart(bytes, 1, uuid)).toBe(uuid);
    const first = (await (await post(doneFields(bytes, uuid), '?done')).json()) as object;
    const again = await post(doneFields(bytes, uuid), '?done');
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual(first);
    expect(new Uint8Array(await (await fetch((first as { file_url: string }).file_url)).arrayBuffer())).toEqual(bytes);
  });

  it('accepts the unprefixed field names', async () => {
    const bytes = randomFile(PART + 1);
    const first = await post(partFields(bytes, 0, undefined, ''));
    const { file_uuid: uuid } = (await first.json()) as { file_uuid: string };
    expect((await post(partFields(bytes, 1, uuid, ''))).status).toBe(200);
    const done = await post({ uuid, filename: 'a.bin', totalparts: '2', md5: md5Of(bytes) }, '?done');
    expect(done.status).toBe(200);
  });
});

describe('chunked refusals', () => {
  it('takes the parts after part 0 in any order, several at once, and reassembles them byte for byte', async () => {
    const bytes = randomFile(6 * PART - 321);
    const uuid = await sendPart(bytes, 0);
    // The last (short) part first, then the rest at the same time.
    expect(await sendPart(bytes, 5, uuid)).toBe(uuid);
    expect(await Promise.all([3, 1, 4, 2].map((index) => sendPart(bytes, index, uuid)))).toEqual([
      uuid,
      uuid,
      uuid,
      uuid,
    ]);

    const res = await post(doneFields(bytes, uuid), '?done');
    expect(res.status).toBe(200);
    const media = (await res.json()) as { file_url: string };
    expect(Buffer.compare(Buffer.from(await (await fetch(media.file_url)).arrayBuffer()), bytes)).toBe(0);
    const record = JSON.parse(await readFile(join(server.dataDir, 'meta', `${uuid}.json`), 'utf8')) as StoredUpload;
    expect(record.parts?.map((fields) => fields.qqpartindex)).toEqual(['0', '1', '2', '3', '4', '5']);
  });

  it('answers two copies of a part sent at once (a retry racing the original) both, storing it once', async () => {
    const bytes = randomFile(3 * PART);
    const uuid = await sendPart(bytes, 0);
    expect(await Promise.all([1, 1, 2].map((index) => sendPart(bytes, index, uuid)))).toEqual([uuid, uuid, uuid]);
    expect((await post(doneFields(bytes, uuid), '?done')).status).toBe(200);
    expect(Buffer.compare(await readFile(join(server.dataDir, 'files', `${uuid}.mp4`)), bytes)).toBe(0);
  });

  it('refuses a part stored already with other bytes (400), and one longer than its place, keeping its neighbours intact', async () => {
    const bytes = randomFile(3 * PART);
    const uuid = await sendPart(bytes, 0);
    await sendPart(bytes, 2, uuid);
    await expectError(
      await post(partFields(randomFile(3 * PART), 2, uuid)),
      400,
      /Part 2 of .* is stored already, with other bytes/,
    );
    // Part 1 declares its 1000 bytes but carries 1500: they must not spill over part 2.
    const long = { ...partFields(bytes, 1, uuid), qqfile: { bytes: randomFile(1500), type: 'video/mp4', name: 'a' } };
    await expectError(await post(long), 400, /larger than its 1000 bytes/);
    await sendPart(bytes, 1, uuid);
    expect((await post(doneFields(bytes, uuid), '?done')).status).toBe(200);
  });

  it('refuses a done before every part is in (400), naming the parts missing, in the middle too', async () => {
    const bytes = randomFile(5 * PART);
    const uuid = await sendPart(bytes, 0);
    await expectError(await post(doneFields(bytes, uuid), '?done'), 400, /Parts 1 to 4 of .* are missing/);
    await sendPart(bytes, 2, uuid);
    await sendPart(bytes, 4, uuid);
    await expectError(await post(doneFields(bytes, uuid), '?done'), 400, /Parts 1, 3 of .* are missing/);
    await sendPart(bytes, 3, uuid);
    await expectError(
      await post(doneFields(bytes, uuid), '?done'),
      400,
      new RegExp(`Part 1 of ${uuid} is missing; send every part before \\?done`),
    );
    await sendPart(bytes, 1, uuid);
    expect((await post(doneFields(bytes, uuid), '?done')).status).toBe(200);
  });

  it('takes the done call as the platform writes it, ?done/', async () => {
    const bytes = randomFile(2 * PART);
    const uuid = await sendParts(bytes, 2);
    const res = await post(doneFields(bytes, uuid), '?done/');
    expect(res.status).toBe(200);
    expect(((await res.json()) as { file_uuid: string }).file_uuid).toBe(uuid);
  });

  it('refuses a done whose MD5 is not that of the assembled file (400), and keeps the upload for a right one', async () => {
    const bytes = randomFile(2 * PART);
    const uuid = await sendParts(bytes, 2);
    const wrong = md5Of(bytes.subarray(1));
    await expectError(
      await post(doneFields(bytes, uuid, wrong), '?done'),
      400,
      new RegExp(`MD5 mismatch.*${md5Of(bytes)}`),
    );
    expect((await post(doneFields(bytes, uuid), '?done')).status).toBe(200);
  });

  it('refuses a later part without uuid (400), with an unknown one (404), or that disagrees with part 0 (400)', async () => {
    const bytes = randomFile(3 * PART);
    await expectError(await post(partFields(bytes, 1)), 400, /qquuid is missing/);
    await expectError(await post(partFields(bytes, 1, crypto.randomUUID())), 404, /Unknown chunked upload/);
    const uuid = await sendPart(bytes, 0);
    await expectError(
      await post({ ...partFields(bytes, 1, uuid), qqtotalparts: '4' }),
      400,
      /qqtotalparts is 4, but part 0 said 3/,
    );
    await expectError(
      await post({ ...partFields(bytes, 1, uuid), qqpartbyteoffset: '5' }),
      400,
      /qqpartbyteoffset is 5, but part 1 starts at 1000/,
    );
    await expectError(
      await post({
        ...partFields(bytes, 1, uuid),
        qqchunksize: '900',
        qqfile: { bytes: randomFile(900), type: 'a/b' },
      }),
      400,
      /Part 1 is 900 bytes; every part but the last is 1000 bytes/,
    );
    await expectError(await post({ ...partFields(bytes, 1, uuid), qqchunksize: '7' }), 400, /Size mismatch/);
    await expectError(await post({ ...partFields(bytes, 1, uuid), qqpartindex: '3' }), 400, /from 0 to 2/);
    await expectError(await post(doneFields(bytes, crypto.randomUUID()), '?done'), 404, /Unknown chunked upload/);
    expect(await sendPart(bytes, 1, uuid)).toBe(uuid);
  });

  it('refuses a file that would pass maxChunkedFileBytes (413)', async () => {
    const small = await otherServer({ maxChunkedFileBytes: 1500 });
    const bytes = randomFile(2 * PART);
    // Declared at part 0: refused at once.
    await expectError(await post(partFields(bytes, 0), '', small), 413, /larger than this server accepts/);
    // Undeclared: refused at the part that passes the limit.
    const { qqtotalfilesize: _declared, ...first } = partFields(bytes, 0);
    const uuid = ((await (await post(first, '', small)).json()) as { file_uuid: string }).file_uuid;
    const { qqtotalfilesize: _again, ...second } = partFields(bytes, 1, uuid);
    await expectError(await post(second, '', small), 413, /larger than this server accepts/);
  });
});

describe('stale chunked uploads', () => {
  it('deletes at start the uploads whose last part is older than staleUploadMs, and keeps the others', async () => {
    const first = await otherServer();
    const bytes = randomFile(2 * PART);
    const old = await sendPart(bytes, 0, undefined, first);
    const fresh = await sendPart(bytes, 0, undefined, first);
    await first.close();
    extraServers.splice(extraServers.indexOf(first), 1);
    // Two hours idle, as far as the record says.
    const oldRecord = join(first.dataDir, 'chunks', `${old}.json`);
    const upload = JSON.parse(await readFile(oldRecord, 'utf8')) as PendingUpload;
    await writeFile(oldRecord, JSON.stringify({ ...upload, updatedAt: upload.updatedAt - 2 * 3600_000 }));

    const second = await otherServer({ dataDir: first.dataDir, staleUploadMs: 3600_000 });
    expect(await pending(first.dataDir)).toEqual([`${fresh}.bin`, `${fresh}.json`].sort());
    await expectError(await post(partFields(bytes, 1, old), '', second), 404, /Unknown chunked upload/);
    expect(await sendPart(bytes, 1, fresh, second)).toBe(fresh);
  });

  it('deletes at start the halves of uploads a killed run left, and temp files', async () => {
    const first = await otherServer();
    const bytes = randomFile(2 * PART);
    const kept = await sendPart(bytes, 0, undefined, first);
    await first.close();
    extraServers.splice(extraServers.indexOf(first), 1);
    const chunksDir = join(first.dataDir, 'chunks');
    const [withoutRecord, withoutBytes] = [crypto.randomUUID(), crypto.randomUUID()];
    await writeFile(join(chunksDir, `${withoutRecord}.bin`), 'bytes');
    await writeFile(join(chunksDir, `${withoutBytes}.json`), '{}');
    await writeFile(join(chunksDir, `.${crypto.randomUUID()}.tmp`), '{"half');

    await otherServer({ dataDir: first.dataDir });
    expect(await pending(first.dataDir)).toEqual([`${kept}.bin`, `${kept}.json`].sort());
  });

  it('deletes the stale uploads of a running server as they age', async () => {
    const aging = await otherServer({ staleUploadMs: 50 });
    const bytes = randomFile(2 * PART);
    const uuid = await sendPart(bytes, 0, undefined, aging);
    await expect.poll(() => pending(aging.dataDir)).toEqual([]);
    await expectError(await post(partFields(bytes, 1, uuid), '', aging), 404, /Unknown chunked upload/);
  });
});
