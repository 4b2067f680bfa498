import { uploadThumbnail, UploadError } from '../../src/core';
import { DEFAULT_RETRY, parseRetryAfter, retryDelay, type RetryInfo } from '../../src/core/retry';
import { pngFile } from '../fixtures';
import { startHangingServer, startScriptedServer, thumbnailAnswer } from '../support/faultServer';

const fast = { baseDelayMs: 10, maxDelayMs: 2000 };
const failing = (status: number, headers?: Record<string, string>) => ({
  status,
  body: JSON.stringify({ error: `status ${status}` }),
  headers,
});

async function withServer<T>(
  server: { url: string; close: () => Promise<void> },
  run: (url: string) => Promise<T>,
): Promise<T> {
  try {
    return await run(server.url);
  } finally {
    await server.close();
  }
}

describe('automatic retries', () => {
  it('retries 5xx and succeeds on the third try, telling each retry', async () => {
    const server = await startScriptedServer(failing(503), failing(500), thumbnailAnswer('p'));
    const retries: RetryInfo[] = [];
    const result = await withServer(server, (url) =>
      uploadThumbnail({
        baseUrl: url,
        token: 't',
        file: pngFile(),
        parentUuid: 'p',
        retry: fast,
        onRetry: (info) => retries.push(info),
      }),
    );
    expect(result.file_uuid).toBe('thumb-uuid');
    expect(server.counts().started).toBe(3);
    expect(retries.map(({ attempt, attempts, error }) => [attempt, attempts, error.status])).toEqual([
      [2, 3, 503],
      [3, 3, 500],
    ]);
  });

  it.each([408, 429, 502])('retries %i', async (status) => {
    const server = await startScriptedServer(failing(status), thumbnailAnswer('p'));
    await withServer(server, (url) =>
      uploadThumbnail({ baseUrl: url, token: 't', file: pngFile(), parentUuid: 'p', retry: fast }),
    );
    expect(server.counts().started).toBe(2);
  });

  it('gives up after three tries in all with the last error', async () => {
    const server = await startScriptedServer(failing(500));
    const error = await withServer(server, (url) =>
      uploadThumbnail({ baseUrl: url, token: 't', file: pngFile(), parentUuid: 'p', retry: fast }).catch(
        (e: unknown) => e,
      ),
    );
    expect(error).toMatchObject({ kind: 'server', status: 500 });
    expect(server.counts().started).toBe(3);
  });

  it.each([400, 401, 403, 404, 413, 415])('never retries %i', async (status) => {
    const server = await startScriptedServer(failing(status), thumbnailAnswer('p'));
    const error = await withServer(server, (url) =>
      uploadThumbnail({ baseUrl: url, token: 't', file: pngFile(), parentUuid: 'p', retry: fast }).catch(
        (e: unknown) => e,
      ),
    );
    expect(error).toBeInstanceOf(UploadError);
    expect(server.counts().started).toBe(1);
  });

  it('waits as long as Retry-After says, read through CORS', async () => {
    const server = await startScriptedServer(failing(429, { 'Retry-After': '0' }), thumbnailAnswer('p'));
    const retries: RetryInfo[] = [];
    await withServer(server, (url) =>
      uploadThumbnail({
        baseUrl: url,
        token: 't',
        file: pngFile(),
        parentUuid: 'p',
        retry: { baseDelayMs: 60_000 },
        onRetry: (info) => retries.push(info),
      }),
    );
    expect(retries).toHaveLength(1);
    expect(retries[0]).toMatchObject({ delayMs: 0, error: { retryAfterMs: 0 } });
  });

  it('shows the error at once when Retry-After asks for longer than it will wait', async () => {
    const server = await startScriptedServer(failing(503, { 'Retry-After': '3600' }), thumbnailAnswer('p'));
    const error = await withServer(server, (url) =>
      uploadThumbnail({ baseUrl: url, token: 't', file: pngFile(), parentUuid: 'p', retry: fast }).catch(
        (e: unknown) => e,
      ),
    );
    expect(error).toMatchObject({ kind: 'server', retryAfterMs: 3_600_000 });
    expect(server.counts().started).toBe(1);
  });

  it('stops waiting when cancelled between tries', async () => {
    const server = await startScriptedServer(failing(500), thumbnailAnswer('p'));
    const controller = new AbortController();
    const pending = uploadThumbnail({
      baseUrl: server.url,
      token: 't',
      file: pngFile(),
      parentUuid: 'p',
      retry: { baseDelayMs: 60_000, maxDelayMs: 60_000 },
      signal: controller.signal,
      onRetry: () => controller.abort(),
    });
    const error = await withServer(server, () => pending.catch((e: unknown) => e));
    expect(error).toMatchObject({ kind: 'aborted' });
    expect(server.counts().started).toBe(1);
  });

  it('sends none again with retry: false', async () => {
    const server = await startScriptedServer(failing(500), thumbnailAnswer('p'));
    await withServer(server, (url) =>
      uploadThumbnail({ baseUrl: url, token: 't', file: pngFile(), parentUuid: 'p', retry: false }).catch(
        () => undefined,
      ),
    );
    expect(server.counts().started).toBe(1);
  });
});

describe('401 and a refreshed token', () => {
  it('tries once more with a token that changed', async () => {
    const server = await startScriptedServer(failing(401), thumbnailAnswer('p'));
    const refreshToken = vi.fn(async () => 'fresh');
    await withServer(server, (url) =>
      uploadThumbnail({ baseUrl: url, token: 'stale', refreshToken, file: pngFile(), parentUuid: 'p', retry: fast }),
    );
    expect(refreshToken).toHaveBeenCalledTimes(1);
    expect(server.counts().started).toBe(2);
  });

  it('gives the auth error when the token did not change, or is refused again', async () => {
    for (const fresh of ['stale', 'fresh']) {
      const server = await startScriptedServer(failing(401));
      const refreshToken = vi.fn(async () => fresh);
      const error = await withServer(server, (url) =>
        uploadThumbnail({
          baseUrl: url,
          token: 'stale',
          refreshToken,
          file: pngFile(),
          parentUuid: 'p',
          retry: fast,
        }).catch((e: unknown) => e),
      );
      expect(error).toMatchObject({ kind: 'auth', status: 401 });
      expect(refreshToken).toHaveBeenCalledTimes(1);
      expect(server.counts().started).toBe(fresh === 'stale' ? 1 : 2);
    }
  });

  it('gives a sign-in error, never retried, when refreshing the token fails', async () => {
    const server = await startScriptedServer(failing(401));
    const refreshToken = vi.fn(() => Promise.reject(new Error('refresh endpoint down')));
    const error = await withServer(server, (url) =>
      uploadThumbnail({
        baseUrl: url,
        token: 'stale',
        refreshToken,
        file: pngFile(),
        parentUuid: 'p',
        retry: fast,
      }).catch((e: unknown) => e),
    );
    expect(error).toMatchObject({ kind: 'auth', retryable: false, details: { reason: 'sign-in-failed' } });
    expect(server.counts().started).toBe(1);
  });
});

describe('a server that stops answering', () => {
  it('ends the request with a network error after the idle timeout, and retries it', async () => {
    const hanging = await startHangingServer();
    const error = await withServer(hanging, (url) =>
      uploadThumbnail({
        baseUrl: url,
        token: 't',
        file: pngFile(),
        parentUuid: 'p',
        idleTimeoutMs: 200,
        retry: fast,
      }).catch((e: unknown) => e),
    );
    expect(error).toMatchObject({ kind: 'network', retryable: true });
    expect((error as Error).message).toMatch(/stalled for \d+ s/);
    expect(error).toMatchObject({ details: { reason: 'stalled' } });
    expect(hanging.counts().started).toBe(3);
  });
});

describe('retryDelay', () => {
  const serverError = new UploadError('server', 'x', { status: 500 });

  it('doubles from the base delay with up to half of it random, and caps it', () => {
    for (let i = 0; i < 50; i += 1) {
      const first = retryDelay(DEFAULT_RETRY, 1, serverError)!;
      const second = retryDelay(DEFAULT_RETRY, 2, serverError)!;
      expect(first).toBeGreaterThanOrEqual(500);
      expect(first).toBeLessThanOrEqual(1000);
      expect(second).toBeGreaterThanOrEqual(1000);
      expect(second).toBeLessThanOrEqual(2000);
      expect(retryDelay({ ...DEFAULT_RETRY, attempts: 10 }, 9, serverError)).toBeLessThanOrEqual(
        DEFAULT_RETRY.maxDelayMs,
      );
    }
  });

  it('does not retry past the last try or what cannot be cured', () => {
    expect(retryDelay(DEFAULT_RETRY, 3, serverError)).toBeUndefined();
    expect(retryDelay(DEFAULT_RETRY, 1, new UploadError('rejected', 'x', { status: 400 }))).toBeUndefined();
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    const now = Date.parse('2026-11-25T12:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Wed, 25 Nov 2026 12:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 25 Nov 2026 11:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});
