import { UploadError, detailedError } from './errors';
import { DEFAULT_RETRY, isOffline, retryDelay, sleep, untilOnline, type RetryInfo, type RetryPolicy } from './retry';
import { sendForm, type UploadProgress } from './send';

/** A token, or a function that gives the current one (called before every try). */
export type TokenSource = string | undefined | (() => string | undefined | Promise<string | undefined>);

/** What every call of the upload family shares: where, who, how patiently. */
export interface RequestOptions {
  /** Access token sent as `Authorization: Bearer <token>`, or a function asked before every try. */
  token?: TokenSource;
  /**
   * Asked once after a 401, with the token refused (default: `token` again); a token other than the
   * one refused is tried once more.
   */
  refreshToken?: (refused: string | undefined) => Promise<string | undefined>;
  /** Automatic retries of network errors, 408, 429 and 5xx; `false` for none. */
  retry?: Partial<RetryPolicy> | false;
  /** A request during which nothing moves for this long fails as a network error (default 60 s). */
  idleTimeoutMs?: number;
  /** Aborting it drops the request in flight, or the wait before a retry: rejects with an `aborted` UploadError. */
  signal?: AbortSignal;
  /** Called before each automatic retry, and when the request waits for the connection (`offline`), to tell the person. */
  onRetry?: (info: RetryInfo) => void;
}

/** One request of the family: the endpoint, its form and the progress of this request's body. */
export interface PostRequest {
  url: string;
  body: FormData;
  /** Progress of this request's body, multipart framing included; a retry starts again from 0. */
  onProgress?: (progress: UploadProgress) => void;
}

/** The retry policy the options ask for: the defaults, overridden, or one try only. */
function retryPolicy(retry: RequestOptions['retry']): RetryPolicy {
  return retry === false ? { ...DEFAULT_RETRY, attempts: 1 } : { ...DEFAULT_RETRY, ...retry };
}

/**
 * Posts one form and resolves with the answer's JSON object, retrying what may pass next time
 * (network, 408, 429, 5xx) with backoff, and a 401 once with a refreshed token. While the browser
 * is offline it waits for the connection instead (no try is spent), then sends the form again whole.
 * Rejects with the last UploadError; the signal stops it between tries and while it waits too.
 */
export async function postWithRetry(request: PostRequest, options: RequestOptions): Promise<Record<string, unknown>> {
  const { signal } = options;
  const policy = retryPolicy(options.retry);
  const currentToken = () => tokenOf(options.token);
  let refreshed: string | undefined;
  for (let attempt = 1; ; attempt += 1) {
    const token = refreshed ?? (await currentToken());
    try {
      const headers: Record<string, string> = { Accept: 'application/json' };
      if (token) headers.Authorization = `Bearer ${token}`;
      return await sendForm({ ...request, headers, signal, idleTimeoutMs: options.idleTimeoutMs });
    } catch (error) {
      if (!(error instanceof UploadError)) throw error;
      if (error.kind === 'auth' && refreshed === undefined) {
        const { refreshToken } = options;
        refreshed = (await tokenOf(refreshToken ? () => refreshToken(token) : options.token)) ?? '';
        // A new sign-in is not one of the tries a failing server gets.
        if (refreshed && refreshed !== token) {
          attempt -= 1;
          continue;
        }
      }
      if (error.kind === 'network' && isOffline() && !signal?.aborted) {
        options.onRetry?.({ attempt, attempts: policy.attempts, delayMs: 0, error, offline: true });
        await untilOnline(signal);
        attempt -= 1;
        continue;
      }
      const delayMs = retryDelay(policy, attempt, error);
      if (delayMs === undefined || signal?.aborted) throw error;
      options.onRetry?.({ attempt: attempt + 1, attempts: policy.attempts, delayMs, error });
      await sleep(delayMs, signal);
    }
  }
}

async function tokenOf(source: TokenSource): Promise<string | undefined> {
  try {
    return typeof source === 'function' ? await source() : source;
  } catch (cause) {
    throw detailedError('auth', { reason: 'sign-in-failed' }, { cause });
  }
}

/**
 * Request options for a series of requests (the parts of a chunked upload): a fixed token that was
 * refreshed after a 401 stays refreshed for the requests after it, so one sign-in serves them all.
 * A token function is left alone: it is asked before every try anyway.
 */
export function keepingRefreshedToken(options: RequestOptions): RequestOptions {
  const { token, refreshToken } = options;
  if (typeof token === 'function' || !refreshToken) return options;
  let latest: string | undefined;
  return {
    ...options,
    token: () => latest ?? token,
    refreshToken: async (refused) => (latest = (await refreshToken(refused)) || latest),
  };
}

/** The `bad-response` error for an answer that cannot be trusted, saying what is wrong with it. */
export function badResponse(reason: 'missing-fields' | 'unsafe-url' | 'wrong-parent'): UploadError {
  return detailedError('bad-response', { reason });
}

/** A string with something in it: the fields of an answer that must be there. */
export function isFilled(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

/** Only http(s) and relative addresses may reach an `<img src>` or `<a href>`. */
export function isSafeFileUrl(url: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(url, 'http://relative.invalid/').protocol);
  } catch {
    return false;
  }
}
