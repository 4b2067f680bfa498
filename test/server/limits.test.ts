// @vitest-environment node
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../server/app';
import { UPLOAD_PATH } from '../../src/core/protocol';
import { makePng, md5Of } from '../fixtures';
import { formOf, rawRequest, startStalledUpload, type FormValue } from './helpers';

async function startTemp(options: Parameters<typeof startServer>[0]): Promise<RunningServer> {
  return startServer({ port: 0, dataDir: await mkdtemp(join(tmpdir(), 'upload-limits-')), ...options });
}

async function stop(server: RunningServer) {
  await server.close();
  await rm(server.dataDir, { recursive: true, force: true });
}

function upload(server: RunningServer, fields: Record<string, FormValue>) {
  return fetch(server.url + UPLOAD_PATH, {
    method: 'POST',
    headers: { Authorization: `Bearer ${server.token}` },
    body: formOf(fields),
  });
}

function pngFields(name = 'p.png'): Record<string, FormValue> {
  const png = makePng();
  return { qqtotalfilesize: String(png.length), qqmd5: md5Of(png), qqfile: { bytes: png, type: 'image/png', name } };
}

/** Status, headers and body of an answer read off a raw socket. */
function parseAnswer(raw: string) {
  const end = raw.indexOf('\r\n\r\n');
  const [statusLine = '', ...lines] = raw.slice(0, end).split('\r\n');
  const headers = Object.fromEntries(
    lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
  );
  return { status: Number(statusLine.split(' ')[1]), headers, body: raw.slice(end + 4) };
}

const filesIn = (server: RunningServer) => readdir(join(server.dataDir, 'files'));

describe('request timeout', () => {
  const TIMEOUT_MS = 300;
  let server: RunningServer;

  beforeAll(async () => {
    // One upload slot, so that a test fails if a timed-out upload kept it.
    server = await startTemp({ requestTimeoutMs: TIMEOUT_MS, maxConcurrentUploads: 1 });
  });
  afterAll(() => stop(server));

  it('answers 408 in JSON to an upload that stalls mid-body, closes the connection, removes the temp file and frees the slot', async () => {
    const started = Date.now();
    const stalled = startStalledUpload(server.url + UPLOAD_PATH, server.token);
    const answeredAfter = new Promise<number>((done) => stalled.socket.once('data', () => done(Date.now() - started)));
    await expect.poll(() => filesIn(server)).toHaveLength(1); // its temp file, being written

    expect(await answeredAfter).toBeLessThan(TIMEOUT_MS + 500); // answered at the deadline, cut a second later
    const answer = parseAnswer(await stalled.closed); // the server closes the connection
    const elapsed = Date.now() - started;
    expect(answer.status).toBe(408);
    expect(answer.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(answer.body)).toEqual({ error: expect.stringMatching(/did not arrive in full within 0\.3 s/) });
    // Our deadline and a second's grace to read the answer, not Node's backstop (much later).
    expect(elapsed).toBeGreaterThanOrEqual(TIMEOUT_MS + 1000 - 20);
    expect(elapsed).toBeLessThan(4000);
    await expect.poll(() => filesIn(server)).toEqual([]);
    expect((await upload(server, pngFields())).status).toBe(200);
  });

  it('cuts off an upload that keeps trickling bytes past the deadline', async () => {
    const stalled = startStalledUpload(server.url + UPLOAD_PATH, server.token);
    const trickle = setInterval(() => stalled.socket.write(new Uint8Array(100)), 50);
    try {
      expect(parseAnswer(await stalled.closed).status).toBe(408);
    } finally {
      clearInterval(trickle);
    }
    await expect.poll(() => filesIn(server)).toHaveLength(1); // only the PNG stored above
  });

  it('closes the connection of a refused client that stops sending the rest of its body', async () => {
    const started = Date.now();
    const stalled = startStalledUpload(server.url + UPLOAD_PATH, null);
    const answer = parseAnswer(await stalled.closed);
    expect(answer.status).toBe(401); // answered at once, then the drain is cut at the deadline
    expect(Date.now() - started).toBeGreaterThanOrEqual(TIMEOUT_MS - 20);
  });

  it('leaves a request that arrives in time alone', async () => {
    // A deadline far from the ~150 ms the body takes: on a loaded machine timers slip, and 300 ms was too close.
    const patient = await startTemp({ requestTimeoutMs: 3000 });
    const png = makePng();
    const body = new Response(formOf({ qqfile: { bytes: png, type: 'image/png' } }));
    const bytes = new Uint8Array(await body.arrayBuffer());
    // Sent slowly but within the deadline: 10 pieces, 15 ms apart.
    const size = Math.ceil(bytes.length / 10);
    const answer = await rawRequest(patient.url + UPLOAD_PATH, {
      method: 'POST',
      headers: { Authorization: `Bearer ${patient.token}`, 'Content-Type': body.headers.get('content-type')! },
      chunks: Array.from({ length: 10 }, (_, i) => bytes.subarray(i * size, (i + 1) * size)),
      chunkDelayMs: 15,
    }).finally(() => stop(patient));
    expect(answer.status).toBe(200);
  });
});

describe('concurrent uploads', () => {
  const LIMIT = 2;
  let server: RunningServer;

  beforeAll(async () => {
    server = await startTemp({ maxConcurrentUploads: LIMIT });
  });
  afterAll(() => stop(server));

  it('answers 429 with Retry-After at once, before reading the body, while the limit is reached', async () => {
    const stalled = [
      startStalledUpload(server.url + UPLOAD_PATH, server.token),
      startStalledUpload(server.url + UPLOAD_PATH, server.token),
    ];
    await expect.poll(() => filesIn(server)).toHaveLength(LIMIT);

    const boundary = 'busy-boundary';
    const chunks = [
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="qqfile"; filename="a.png"\r\n\r\n`),
      ...Array.from({ length: 32 }, () => new Uint8Array(64 * 1024)),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ];
    const total = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
    const answer = await rawRequest(server.url + UPLOAD_PATH, {
      method: 'POST',
      headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': `multipart/form-data; boundary=${boundary}` },
      chunks,
      chunkDelayMs: 5,
    });
    expect(answer.status).toBe(429);
    expect(answer.headers['retry-after']).toBe('1');
    expect(answer.headers['access-control-allow-origin']).toBe('*');
    // A page on another origin may read Retry-After only when it is exposed.
    expect(answer.headers['access-control-expose-headers']).toBe('Retry-After');
    expect(JSON.parse(answer.body)).toEqual({ error: expect.stringMatching(/busy with 2 uploads; try again in 1 s/) });
    expect(answer.sentBeforeAnswer).toBeLessThan(total);
    expect(await filesIn(server)).toHaveLength(LIMIT); // no temp file for the refused one

    // A client that goes away frees its slot.
    stalled[0]!.socket.destroy();
    await expect.poll(() => filesIn(server)).toHaveLength(1);
    expect((await upload(server, pngFields())).status).toBe(200);
    stalled[1]!.socket.destroy();
    await stalled[1]!.closed;
  });

  it('frees the slot of an upload that succeeds or fails', async () => {
    // More uploads in series than the limit: any slot kept would turn a later one into a 429.
    await expect.poll(() => filesIn(server)).toHaveLength(1); // the slots of the test above are free
    for (let i = 0; i < LIMIT + 2; i += 1) {
      expect((await upload(server, { ...pngFields(), qqmd5: '0'.repeat(32) })).status).toBe(400);
      expect((await upload(server, { ...pngFields(), qqparentuuid: crypto.randomUUID() })).status).toBe(404);
      expect((await upload(server, pngFields())).status).toBe(200);
    }
  });

  it('refuses what can never succeed (401, 413, 415) before saying busy', async () => {
    const stalled = [
      startStalledUpload(server.url + UPLOAD_PATH, server.token),
      startStalledUpload(server.url + UPLOAD_PATH, server.token),
    ];
    await expect.poll(async () => (await filesIn(server)).filter((name) => name.endsWith('.tmp'))).toHaveLength(LIMIT);
    const post = (headers: Record<string, string>, body: BodyInit) =>
      fetch(server.url + UPLOAD_PATH, { method: 'POST', headers, body });
    expect((await post({}, formOf(pngFields()))).status).toBe(401);
    const auth = { Authorization: `Bearer ${server.token}` };
    expect((await post({ ...auth, 'Content-Type': 'text/plain' }, 'x')).status).toBe(415);
    const tooLarge = await rawRequest(server.url + UPLOAD_PATH, {
      method: 'POST',
      headers: {
        ...auth,
        'Content-Type': 'multipart/form-data; boundary=b',
        'Content-Length': String(64 * 1024 * 1024),
      },
    });
    expect(tooLarge.status).toBe(413);
    expect((await post(auth, formOf(pngFields()))).status).toBe(429);
    for (const { socket, closed } of stalled) {
      socket.destroy();
      await closed;
    }
  });
});

it('refuses to start with a limit that would refuse everything', async () => {
  for (const options of [{ maxConcurrentUploads: 0 }, { requestTimeoutMs: 0 }, { requestTimeoutMs: 1.5 }]) {
    await expect(startServer({ port: 0, dataDir: join(tmpdir(), 'never-created'), ...options })).rejects.toThrow(
      RangeError,
    );
  }
  expect(existsSync(join(tmpdir(), 'never-created'))).toBe(false);
});

describe('hostile file names', () => {
  const NAMES = [
    '../../etc/passwd',
    '/abs/x.png',
    '..\\..\\x.png',
    'nul\u0000byte.png',
    '<img src=x onerror=alert(1)>.png',
    '../'.repeat(20) + 'tmp/escaped.png',
  ];
  let sandbox: string;
  let server: RunningServer;

  beforeAll(async () => {
    // The data folder sits deep inside a sandbox, so that an escape by `../` lands where we can look.
    sandbox = await mkdtemp(join(tmpdir(), 'upload-sandbox-'));
    const dataDir = join(sandbox, 'a', 'b', 'data');
    await mkdir(dataDir, { recursive: true });
    server = await startServer({ port: 0, dataDir });
  });
  afterAll(async () => {
    await server.close();
    await rm(sandbox, { recursive: true, force: true });
  });

  async function allFiles(dir: string): Promise<string[]> {
    const entries = await readdir(dir, { withFileTypes: true, recursive: true });
    return entries
      .filter((entry) => entry.isFile())
      .map((entry) => relative(sandbox, join(entry.parentPath, entry.name)));
  }

  it('stores hostile qqfilename and part file names only as record text, never as a path', async () => {
    const uuids: string[] = [];
    for (const name of NAMES) {
      // Once in qqfilename (with a harmless part name), once as the part's own file name only.
      for (const fields of [{ qqfilename: name, ...pngFields('p.png') }, pngFields(name)]) {
        const res = await upload(server, fields);
        if (!('qqfilename' in fields) && name.includes('\0')) {
          // A raw NUL in a part header is not HTTP: refused, and nothing is stored.
          expect(res.status).toBe(400);
          expect(((await res.json()) as { error: string }).error).toMatch(/malformed/);
          continue;
        }
        expect({ name, status: res.status }).toEqual({ name, status: 200 });
        const { file_url, file_uuid } = (await res.json()) as Record<string, string>;
        expect(file_url).toBe(`${server.url}/files/${file_uuid}.png`);
        uuids.push(file_uuid!);

        const record = JSON.parse(await readFile(join(server.dataDir, 'meta', `${file_uuid}.json`), 'utf8')) as Record<
          string,
          unknown
        >;
        expect({ storedName: record.storedName, originalName: record.originalName }).toEqual({
          storedName: `${file_uuid}.png`,
          // busboy keeps only the last segment of a part's file name; qqfilename is kept as sent.
          originalName: 'qqfilename' in fields ? name : name.split(/[\\/]/).pop(),
        });
      }
    }

    // Only generated names, only inside the data folder: nothing anywhere else in the sandbox.
    const expected = uuids.flatMap((uuid) => [`a/b/data/files/${uuid}.png`, `a/b/data/meta/${uuid}.json`]);
    expect((await allFiles(sandbox)).sort()).toEqual(expected.sort());
    for (const path of ['/abs/x.png', '/tmp/escaped.png', join(tmpdir(), 'escaped.png')])
      expect(existsSync(path)).toBe(false);
  });
});
