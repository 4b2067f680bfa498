import { uploadThumbnail, UploadError, type UploadProgress } from '../../src/core';
import { md5Of, makePng, pngFile } from '../fixtures';
import {
  startAnsweringServer,
  startFaultServer,
  startHangingServer,
  startRecordingProxy,
} from '../support/faultServer';
import { startReferenceServer, withReferenceServer, type ReferenceServer } from '../support/referenceServer';
import { failure } from '../support/failure';
import type { RetryInfo } from '../../src/core/retry';

let server: ReferenceServer;
let parentUuid: string;

withReferenceServer((started, media) => {
  server = started;
  parentUuid = media;
});

describe('uploadThumbnail against the reference server', () => {
  it('posts the image with its fields and token, and resolves with the checked answer', async () => {
    const bytes = makePng(32, 24);
    const progress: UploadProgress[] = [];
    const result = await uploadThumbnail({
      baseUrl: server.url,
      token: server.token,
      file: new File([bytes], 'cover.png', { type: 'image/png' }),
      parentUuid,
      onProgress: (event) => progress.push(event),
    });

    expect(result.parent_file_uuid).toBe(parentUuid);
    expect(result.file_url).toMatch(new RegExp(`^${server.url}/files/`));
    const [stored] = (await server.thumbnails()).filter((record) => record.uuid === result.file_uuid);
    expect(stored).toMatchObject({
      parentUuid,
      originalName: 'cover.png',
      type: 'image/png',
      size: bytes.length,
      md5: md5Of(bytes),
    });
    expect(stored?.fields).toEqual({
      qqparentuuid: parentUuid,
      qqfilename: 'cover.png',
      qqfiletype: 'image/png',
      qqtotalfilesize: String(bytes.length),
      qqmd5: md5Of(bytes),
    });

    const served = new Uint8Array(await (await fetch(result.file_url)).arrayBuffer());
    expect(md5Of(served)).toBe(md5Of(bytes));
    expect(progress.at(-1)).toEqual({ loaded: progress.at(-1)?.total, total: expect.any(Number) });
    expect(progress.at(-1)!.total).toBeGreaterThan(bytes.length);
  });

  it('sends the field names without prefix when fieldPrefix is empty', async () => {
    const result = await uploadThumbnail({
      baseUrl: server.url,
      token: server.token,
      file: pngFile('plain.png'),
      parentUuid,
      fieldPrefix: '',
    });
    const [stored] = (await server.thumbnails()).filter((record) => record.uuid === result.file_uuid);
    expect(Object.keys(stored?.fields as object).sort()).toEqual([
      'filename',
      'filetype',
      'md5',
      'parentuuid',
      'totalfilesize',
    ]);
  });

  it('sends the type the bytes really have when the browser declared none', async () => {
    const bytes = makePng();
    const result = await uploadThumbnail({
      baseUrl: server.url,
      token: server.token,
      file: new File([bytes], 'scan'),
      parentUuid,
    });
    const [stored] = (await server.thumbnails()).filter((record) => record.uuid === result.file_uuid);
    expect(stored).toMatchObject({ type: 'image/png', originalName: 'scan', md5: md5Of(bytes) });
  });

  it('turns a refused token into an auth error (401)', async () => {
    const error = await failure(uploadThumbnail({ baseUrl: server.url, token: 'wrong', file: pngFile(), parentUuid }));
    expect(error).toMatchObject({ kind: 'auth', status: 401, retryable: false });
    expect(error.message).toMatch(/HTTP 401/);
  });

  it('turns a missing field (400) into a rejected error carrying the server reason', async () => {
    const error = await failure(
      uploadThumbnail({ baseUrl: server.url, token: server.token, file: pngFile(), parentUuid, fieldPrefix: 'zz' }),
    );
    expect(error).toMatchObject({ kind: 'rejected', status: 400, retryable: false });
    expect(error.message).toMatch(/file/);
  });

  it('turns an unknown parent (404) into a rejected error', async () => {
    const error = await failure(
      uploadThumbnail({
        baseUrl: server.url,
        token: server.token,
        file: pngFile(),
        parentUuid: '00000000-0000-4000-8000-000000000000',
      }),
    );
    expect(error).toMatchObject({ kind: 'rejected', status: 404 });
  });

  it('turns a body over the server limit (413) into a too-large error', async () => {
    const small = await startReferenceServer({ maxBodyBytes: 1024 });
    try {
      const media = await small.createMedia();
      const error = await failure(
        uploadThumbnail({
          baseUrl: small.url,
          token: small.token,
          file: pngFile('big.png', 300, 300),
          parentUuid: media,
        }),
      );
      expect(error).toMatchObject({ kind: 'too-large', status: 413 });
      expect(error.message).toMatch(/HTTP 413: The request is \d+ bytes/);
    } finally {
      await small.close();
    }
  });

  it('reaches nobody without a server: a retryable network error', async () => {
    const gone = await startHangingServer();
    await gone.close();
    const error = await failure(
      uploadThumbnail({ baseUrl: gone.url, token: 't', file: pngFile(), parentUuid, retry: false }),
    );
    expect(error).toMatchObject({ kind: 'network', retryable: true, details: { reason: 'unreachable' } });
  });
});

describe('uploadThumbnail while the connection drops', () => {
  /** The browser's word on the network, as `navigator.onLine` and its `offline`/`online` events give it. */
  const setOnline = (online: boolean) => {
    vi.spyOn(navigator, 'onLine', 'get').mockReturnValue(online);
    window.dispatchEvent(new Event(online ? 'online' : 'offline'));
  };
  afterEach(() => vi.restoreAllMocks());

  it('waits for the connection instead of failing, spends no try on it, and sends the image again whole once back', async () => {
    let first = true;
    const proxy = await startRecordingProxy(server.url, { swallowAnswer: () => first && !(first = false) });
    try {
      const retries: RetryInfo[] = [];
      const upload = uploadThumbnail({
        baseUrl: proxy.url,
        token: server.token,
        file: pngFile(),
        parentUuid,
        retry: { attempts: 1 },
        onRetry: (info) => retries.push(info),
      });
      await vi.waitFor(() => expect(proxy.requests()).toHaveLength(1));
      setOnline(false);
      await vi.waitFor(() => expect(retries).toHaveLength(1));
      expect(retries[0]).toMatchObject({ offline: true, error: { kind: 'network' } });
      // Offline for a while: nothing is sent, nothing fails.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(proxy.requests()).toHaveLength(1);

      setOnline(true);
      const result = await upload;
      expect(proxy.requests()).toHaveLength(2);
      expect(retries).toHaveLength(1);
      expect((await server.thumbnails()).map((record) => record.uuid)).toContain(result.file_uuid);
    } finally {
      await proxy.close();
    }
  });

  it('can be cancelled while it waits for the connection', async () => {
    const gone = await startHangingServer();
    await gone.close();
    vi.spyOn(navigator, 'onLine', 'get').mockReturnValue(false);
    const controller = new AbortController();
    const onRetry = vi.fn<(info: RetryInfo) => void>();
    const upload = failure(
      uploadThumbnail({
        baseUrl: gone.url,
        token: 't',
        file: pngFile(),
        parentUuid,
        signal: controller.signal,
        onRetry,
      }),
    );
    await vi.waitFor(() => expect(onRetry).toHaveBeenCalledWith(expect.objectContaining({ offline: true })));
    controller.abort();
    expect(await upload).toMatchObject({ kind: 'aborted' });
  });
});

describe('uploadThumbnail answers the reference server cannot give', () => {
  const cases: Array<[string, number, string, string, Partial<UploadError>]> = [
    [
      'a 500 with an HTML page',
      500,
      '<html><body><h1>Internal Server Error</h1></body></html>',
      'text/html',
      { kind: 'server', status: 500, retryable: true },
    ],
    [
      'a 200 that is not JSON',
      200,
      '<html>maintenance</html>',
      'text/html',
      { kind: 'bad-response', status: 200, details: { reason: 'not-a-result' } },
    ],
    [
      'a 200 without file_url',
      200,
      JSON.stringify({ file_uuid: 'u', parent_file_uuid: 'p' }),
      'application/json',
      { kind: 'bad-response', details: { reason: 'missing-fields' } },
    ],
    [
      'an empty 200',
      200,
      '',
      'application/json',
      { kind: 'bad-response', status: 200, details: { reason: 'not-a-result' } },
    ],
    [
      'a data: file_url',
      200,
      JSON.stringify({ file_url: 'data:image/png;base64,AAAA', file_uuid: 'u', parent_file_uuid: 'p' }),
      'application/json',
      { kind: 'bad-response', details: { reason: 'unsafe-url' } },
    ],
    [
      'a javascript: file_url',
      200,
      JSON.stringify({ file_url: 'javascript:alert(1)', file_uuid: 'u', parent_file_uuid: 'p' }),
      'application/json',
      { kind: 'bad-response', details: { reason: 'unsafe-url' } },
    ],
    [
      'another parent',
      200,
      JSON.stringify({ file_url: '/f.png', file_uuid: 'u', parent_file_uuid: 'other' }),
      'application/json',
      { kind: 'bad-response', details: { reason: 'wrong-parent' } },
    ],
    [
      'a 429',
      429,
      JSON.stringify({ error: 'slow down' }),
      'application/json',
      { kind: 'server', status: 429, retryable: true },
    ],
  ];

  it.each(cases)('turns %s into the right error', async (_name, status, body, type, expected) => {
    const faulty = await startAnsweringServer(status, body, type);
    try {
      const error = await failure(
        uploadThumbnail({ baseUrl: faulty.url, token: 't', file: pngFile(), parentUuid: 'p', retry: false }),
      );
      expect(error).toMatchObject(expected);
      expect(error.message).not.toMatch(/<|javascript/);
    } finally {
      await faulty.close();
    }
  });

  it('accepts a relative file_url', async () => {
    const faulty = await startAnsweringServer(
      200,
      JSON.stringify({ file_url: '/media/t.png', file_uuid: 'u', parent_file_uuid: 'p' }),
    );
    try {
      await expect(
        uploadThumbnail({ baseUrl: faulty.url, token: 't', file: pngFile(), parentUuid: 'p' }),
      ).resolves.toEqual({
        file_url: '/media/t.png',
        file_uuid: 'u',
        parent_file_uuid: 'p',
      });
    } finally {
      await faulty.close();
    }
  });

  it('sends Accept and Authorization headers and lets the browser set the multipart boundary', async () => {
    let headers: Record<string, string | string[] | undefined> = {};
    const recording = await startFaultServer((req, res) => {
      headers = req.headers;
      req.resume();
      req.on('end', () =>
        res
          .writeHead(200, { 'Content-Type': 'application/json' })
          .end(JSON.stringify({ file_url: '/t.png', file_uuid: 'u', parent_file_uuid: 'p' })),
      );
    });
    try {
      await uploadThumbnail({ baseUrl: `${recording.url}/`, token: 'secret', file: pngFile(), parentUuid: 'p' });
      expect(headers).toMatchObject({ accept: 'application/json', authorization: 'Bearer secret' });
      expect(headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    } finally {
      await recording.close();
    }
  });

  it('aborts on the signal with an aborted error, dropping the connection', async () => {
    const hanging = await startHangingServer();
    try {
      const controller = new AbortController();
      const pending = uploadThumbnail({
        baseUrl: hanging.url,
        token: 't',
        file: pngFile(),
        parentUuid: 'p',
        signal: controller.signal,
      });
      await vi.waitFor(() => expect(hanging.counts().started).toBe(1));
      controller.abort();
      expect(await failure(pending)).toMatchObject({ kind: 'aborted' });
      await vi.waitFor(() => expect(hanging.counts().closedByClient).toBe(1));
    } finally {
      await hanging.close();
    }
  });
});

describe('uploadThumbnail checks the file before sending a byte', () => {
  it.each([
    ['an empty file', new File([], 'empty.png', { type: 'image/png' }), 'invalid-file', 'empty'],
    ['text named .png', new File(['hello'], 'fake.png', { type: 'image/png' }), 'invalid-file', 'not-an-image'],
    ['a file over maxSize', pngFile('big.png', 64, 64), 'too-large', 'file-too-large'],
  ])('refuses %s, saying why in its details', async (_name, file, kind, reason) => {
    const send = vi.spyOn(XMLHttpRequest.prototype, 'send');
    const error = await failure(
      uploadThumbnail({ baseUrl: server.url, token: server.token, file, parentUuid, maxSize: 200 }),
    );
    expect(error).toMatchObject({ kind, details: { reason } });
    expect(send).not.toHaveBeenCalled();
  });

  it('refuses a thumbnail without a media, saying why in its details', async () => {
    const error = await failure(
      uploadThumbnail({ baseUrl: server.url, token: server.token, file: pngFile(), parentUuid: '' }),
    );
    expect(error).toMatchObject({ kind: 'rejected', details: { reason: 'no-parent' } });
  });
});
