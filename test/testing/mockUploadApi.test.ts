// @vitest-environment node
/**
 * The fake's own protocol behaviour, with Node's fetch and FormData: what it stores and answers for
 * each call of the family, as the reference server does, with either prefix; its log; its faults.
 */
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildChunkDoneForm, buildChunkForm, buildMediaForm, buildThumbnailForm } from '../../src/core/protocol';
import { mockUploadApi } from '../../src/testing';
import { makePng } from '../fixtures';

const BASE = 'https://community.example';
const ENDPOINT = `${BASE}/api/v2/pm/upload/`;
const api = mockUploadApi({ baseUrl: BASE });
const unprefixed = mockUploadApi({ baseUrl: 'https://current.example', fieldPrefix: '' });
const server = setupServer(...api.handlers, ...unprefixed.handlers);

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  api.reset();
  unprefixed.reset();
});
afterAll(() => server.close());

function post(form: FormData, { url = ENDPOINT, token = 'app-token' }: { url?: string; token?: string | null } = {}) {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (token !== null) headers.Authorization = `Bearer ${token}`;
  return fetch(url, { method: 'POST', body: form, headers });
}

async function json(response: Response): Promise<{ status: number; body: Record<string, string> }> {
  return { status: response.status, body: (await response.json()) as Record<string, string> };
}

const png = () => new Blob([makePng(8, 6)], { type: 'image/png' });
const bytes = (size: number) => new Blob([new Uint8Array(size).map((_, at) => at % 251)], { type: 'video/mp4' });
const stored = async (url: string) => new Uint8Array(await (await fetch(url)).arrayBuffer());

describe('mockUploadApi, the calls of the family', () => {
  it('stores a media sent in one request and serves it at the answered file_url', async () => {
    const media = bytes(1000);
    const { status, body } = await json(await post(buildMediaForm({ file: media, fileName: 'clip.mp4', md5: 'x' })));
    expect(status).toBe(200);
    expect(Object.keys(body).sort()).toEqual(['file_url', 'file_uuid']);
    expect(body.file_url).toBe(`${BASE}/files/${body.file_uuid}.mp4`);
    expect(await stored(body.file_url!)).toEqual(new Uint8Array(await media.arrayBuffer()));

    const [request] = api.requests;
    expect(request).toMatchObject({ call: 'media', authorization: 'Bearer app-token', status: 200 });
    expect(request?.fields).toEqual({
      qqfilename: 'clip.mp4',
      qqfiletype: 'video/mp4',
      qqtotalfilesize: '1000',
      qqmd5: 'x',
    });
    expect([request?.file?.name, request?.file?.size, request?.file?.type]).toEqual(['clip.mp4', 1000, 'video/mp4']);
    expect(request?.headers.get('Accept')).toBe('application/json');
  });

  it('answers a thumbnail with its parent_file_uuid', async () => {
    const form = buildThumbnailForm({ file: png(), fileName: 'cover.png', parentUuid: 'media-1', md5: 'x' });
    const { body } = await json(await post(form));
    expect(body).toEqual({
      file_url: `${BASE}/files/${body.file_uuid}.png`,
      file_uuid: expect.stringMatching(/^[0-9a-f-]{36}$/),
      parent_file_uuid: 'media-1',
    });
    expect(api.requests.map((request) => request.call)).toEqual(['thumbnail']);
  });

  it('reassembles a media sent in parts, the done call as `?done` or as `?done/`', async () => {
    for (const query of ['?done', '?done/']) {
      const whole = bytes(250);
      const described = { fileName: 'talk.mp4', fileType: 'video/mp4', totalFileSize: 250, totalParts: 3 };
      let fileUuid: string | undefined;
      for (const [partIndex, from] of [0, 100, 200].entries()) {
        const chunk = whole.slice(from, from + 100);
        const answer = await json(
          await post(buildChunkForm({ ...described, chunk, partIndex, fileUuid, byteOffset: from })),
        );
        expect(answer).toEqual({ status: 200, body: { file_uuid: fileUuid ?? expect.any(String) } });
        fileUuid = answer.body.file_uuid;
      }
      const done = buildChunkDoneForm({ ...described, fileUuid: fileUuid!, md5: 'x' });
      const { body } = await json(await post(done, { url: ENDPOINT + query }));
      expect(body).toEqual({ file_url: `${BASE}/files/${fileUuid}.mp4`, file_uuid: fileUuid });
      expect(await stored(body.file_url!)).toEqual(new Uint8Array(await whole.arrayBuffer()));
      // Sent again, the done call is answered again.
      expect((await json(await post(done, { url: ENDPOINT + query }))).body).toEqual(body);
    }
    expect(api.requests.map(({ call, fields }) => (call === 'part' ? `part ${fields.qqpartindex}` : call))).toEqual([
      ...['part 0', 'part 1', 'part 2', 'done', 'done'],
      ...['part 0', 'part 1', 'part 2', 'done', 'done'],
    ]);
  });

  it('places parts after part 0 by their index, and refuses a done call with parts missing', async () => {
    const described = { fileName: 'a.bin', fileType: 'application/octet-stream', totalFileSize: 30, totalParts: 3 };
    const part = (partIndex: number, fileUuid?: string) =>
      buildChunkForm({
        ...described,
        chunk: new Blob([String(partIndex).repeat(10)]),
        partIndex,
        fileUuid,
        byteOffset: partIndex * 10,
      });
    const fileUuid = (await json(await post(part(0)))).body.file_uuid!;
    await post(part(2, fileUuid));
    const done = buildChunkDoneForm({ ...described, fileUuid, md5: 'x' });
    expect(await json(await post(done, { url: `${ENDPOINT}?done` }))).toEqual({
      status: 400,
      body: { error: `Parts 1 of ${fileUuid} are missing; send every part before ?done.` },
    });
    await post(part(1, fileUuid));
    const { body } = await json(await post(done, { url: `${ENDPOINT}?done` }));
    expect(new TextDecoder().decode(await stored(body.file_url!))).toBe('000000000011111111112222222222');
  });

  it('refuses what the reference server refuses, in its error shape', async () => {
    const noFile = new FormData();
    noFile.append('qqfilename', 'x.png');
    expect(await json(await post(noFile))).toEqual({
      status: 400,
      body: { error: 'The field qqfile is missing; send the file in it.' },
    });
    const noParent = buildThumbnailForm({ file: png(), fileName: 'c.png', parentUuid: '', md5: 'x' });
    expect((await json(await post(noParent))).body.error).toBe(
      'The field qqparentuuid is empty; send the file_uuid of the media.',
    );
    // Part 1 of 2, sent with no uuid or with one the fake never answered.
    const laterPart = (fileUuid?: string) =>
      buildChunkForm({
        chunk: bytes(10),
        partIndex: 1,
        totalParts: 2,
        fileUuid,
        byteOffset: 10,
        fileName: 'a',
        fileType: 'video/mp4',
        totalFileSize: 20,
      });
    expect((await json(await post(laterPart()))).body.error).toBe(
      'The field qquuid is missing; parts after 0 send the file_uuid answered to part 0.',
    );
    expect((await json(await post(laterPart('gone')))).status).toBe(404);
    const wrongSize = buildMediaForm({ file: bytes(10), fileName: 'a.mp4', md5: 'x' });
    wrongSize.set('qqtotalfilesize', '11');
    expect((await json(await post(wrongSize))).body.error).toBe(
      'Size mismatch: qqtotalfilesize says 11 bytes but 10 arrived.',
    );
    expect(
      await json(await post(buildMediaForm({ file: bytes(10), fileName: 'a.mp4', md5: 'x' }), { token: null })),
    ).toEqual({
      status: 401,
      body: { error: 'The Authorization header is missing; send "Authorization: Bearer <token>".' },
    });
    expect(api.requests.map((request) => request.status)).toEqual([400, 400, 400, 404, 400, 401]);
  });

  it('takes the platform’s current names (fieldPrefix "") and names them so in its errors', async () => {
    const url = 'https://current.example/api/v2/pm/upload/';
    const form = buildThumbnailForm({ file: png(), fileName: 'c.png', parentUuid: 'media-2', md5: 'x' }, '');
    expect((await json(await post(form, { url }))).body.parent_file_uuid).toBe('media-2');
    expect(Object.keys(unprefixed.requests[0]!.fields).sort()).toEqual([
      'filename',
      'filetype',
      'md5',
      'parentuuid',
      'totalfilesize',
    ]);
    const part = buildChunkForm(
      {
        chunk: bytes(10),
        partIndex: 1,
        totalParts: 2,
        byteOffset: 10,
        fileName: 'a',
        fileType: 'video/mp4',
        totalFileSize: 20,
      },
      '',
    );
    expect((await json(await post(part, { url }))).body.error).toBe(
      'The field uuid is missing; parts after 0 send the file_uuid answered to part 0.',
    );
    // Like the reference server's, the prefixed names are the configured prefix's: `qq` ones are not read here…
    const prefixed = buildThumbnailForm({ file: png(), fileName: 'c.png', parentUuid: 'media-3', md5: 'x' });
    await post(prefixed, { url });
    expect(unprefixed.requests[2]?.call).toBe('media');
    // …while the unprefixed names are accepted beside `qq`.
    expect((await json(await post(form))).body.parent_file_uuid).toBe('media-2');
  });

  it('checks the token when given one', async () => {
    const strict = mockUploadApi({ baseUrl: 'https://strict.example', token: 'right' });
    server.use(...strict.handlers);
    const url = 'https://strict.example/api/v2/pm/upload/';
    const form = () => buildMediaForm({ file: bytes(10), fileName: 'a.mp4', md5: 'x' });
    const refused = await post(form(), { url, token: 'wrong' });
    expect(refused.headers.get('WWW-Authenticate')).toBe('Bearer error="invalid_token"');
    expect(await json(refused)).toEqual({ status: 401, body: { error: 'The bearer token is not valid.' } });
    expect((await post(form(), { url, token: 'right' })).status).toBe(200);
    server.resetHandlers();
  });
});

describe('mockUploadApi, faults', () => {
  const media = () => buildMediaForm({ file: bytes(10), fileName: 'a.mp4', md5: 'x' });
  const thumbnail = () => buildThumbnailForm({ file: png(), fileName: 'c.png', parentUuid: 'm', md5: 'x' });

  it('answers a queued status to the next matching call only, as many times as asked', async () => {
    api.fail({ call: 'thumbnail', status: 500, times: 2 });
    expect((await post(media())).status).toBe(200);
    expect(await json(await post(thumbnail()))).toEqual({
      status: 500,
      body: { error: 'The server failed to handle the request; see its log.' },
    });
    expect((await post(thumbnail())).status).toBe(500);
    expect((await post(thumbnail())).status).toBe(200);
    expect(api.requests.map(({ call, status }) => `${call} ${status}`)).toEqual([
      'media 200',
      'thumbnail 500',
      'thumbnail 500',
      'thumbnail 200',
    ]);
  });

  it('answers an HTML page, a JSON body, Retry-After, or no answer at all', async () => {
    api.fail({ status: 502, html: true });
    api.fail({ status: 200, body: { file_url: 'javascript:alert(1)' } });
    api.fail({ retryAfter: 7, error: 'Slow down.' });
    api.fail({ networkError: true });
    const page = await post(media());
    expect([page.status, page.headers.get('Content-Type'), await page.text()]).toEqual([
      502,
      'text/html',
      expect.stringContaining('<h1>502</h1>'),
    ]);
    expect(await json(await post(media()))).toEqual({ status: 200, body: { file_url: 'javascript:alert(1)' } });
    const busy = await post(media());
    expect([busy.status, busy.headers.get('Retry-After'), await busy.json()]).toEqual([
      429,
      '7',
      { error: 'Slow down.' },
    ]);
    await expect(post(media())).rejects.toThrow(TypeError);
    expect((await post(media())).status).toBe(200);
  });

  it('holds an answer until released, or past a delay, then answers normally', async () => {
    const held = api.fail({ hang: true, when: (request) => request.fields.qqfilename === 'a.mp4' });
    let answered = false;
    const pending = post(media()).then((response) => {
      answered = true;
      return response;
    });
    await expect.poll(() => api.requests.length).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(answered).toBe(false);
    held.release();
    expect((await pending).status).toBe(200);

    api.fail({ delay: 120 });
    const started = performance.now();
    expect((await post(media())).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(100);
  });

  it('a hang is given up by aborting the request', async () => {
    api.fail({ hang: true });
    const controller = new AbortController();
    const request = fetch(ENDPOINT, {
      method: 'POST',
      body: media(),
      headers: { Authorization: 'Bearer t' },
      signal: controller.signal,
    });
    await expect.poll(() => api.requests.length).toBe(1);
    controller.abort();
    await expect(request).rejects.toThrow(/abort/i);
    expect(api.requests[0]?.status).toBeUndefined();
  });

  it('answers 401 to the token it first met until another one comes', async () => {
    api.fail({ tokenExpired: true });
    expect((await post(media(), { token: 'old' })).status).toBe(401);
    expect((await post(media(), { token: 'old' })).status).toBe(401);
    expect((await post(media(), { token: 'new' })).status).toBe(200);
    expect((await post(media(), { token: 'old' })).status).toBe(200);
  });

  it('a lasting fault stays until removed; reset() forgets faults, files and the log', async () => {
    const outage = api.fail({ status: 503, times: Infinity });
    for (let i = 0; i < 3; i += 1) expect((await post(media())).status).toBe(503);
    outage.remove();
    const { body } = await json(await post(media()));
    api.fail({ status: 500 });
    api.reset();
    expect(api.requests).toEqual([]);
    expect((await fetch(body.file_url!)).status).toBe(404);
    expect((await post(media())).status).toBe(200);
  });
});
