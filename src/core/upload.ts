import { UploadError, toUploadError, tooLargeError } from './errors';
import { prepareImage } from './prepare';
import { md5Hex } from './md5';
import { DEFAULT_FIELD_PREFIX, buildThumbnailForm, uploadUrl, type ThumbnailResult } from './protocol';
import { DEFAULT_RETRY, retryDelay, sleep, type RetryInfo, type RetryPolicy } from './retry';
import { sendForm, type UploadProgress } from './send';
import { validateImage } from './validate';

export const DEFAULT_MAX_SIZE = 10 * 1024 * 1024;

/** A token, or a function that gives the current one (called before every try). */
export type TokenSource = string | undefined | (() => string | undefined | Promise<string | undefined>);

export interface UploadThumbnailOptions {
  /** Origin (and path prefix) of the API; the endpoint is `${baseUrl}/api/v2/pm/upload/`. */
  baseUrl: string;
  /** Access token sent as `Authorization: Bearer <token>`, or a function asked before every try. */
  token?: TokenSource;
  /** Asked once after a 401 (default: `token` again); a token other than the one refused is tried once more. */
  refreshToken?: () => Promise<string | undefined>;
  /** The image to send. */
  file: File;
  /** `file_uuid` of the media this thumbnail belongs to. */
  parentUuid: string;
  /** Prefix of the form's field names: `'qq'` (default) or `''` for the newer API. */
  fieldPrefix?: string;
  /** Largest image sent, in bytes (default 10 MiB): a larger photo is taken if scaling it down brings it under. */
  maxSize?: number;
  /** Longest side sent, in pixels (default 1024): larger images are scaled down; smaller ones and GIFs go as they are. */
  maxDimension?: number;
  /** JPEG and WebP quality of a scaled-down image, 0 to 1 (default 0.85). */
  quality?: number;
  /** Automatic retries of network errors, 408, 429 and 5xx; `false` for none. */
  retry?: Partial<RetryPolicy> | false;
  /** A request during which nothing moves for this long fails as a network error (default 60 s). */
  idleTimeoutMs?: number;
  signal?: AbortSignal;
  onProgress?: (progress: UploadProgress) => void;
  /** Called before each automatic retry, to tell the person. */
  onRetry?: (info: RetryInfo) => void;
}

/** Checks, prepares, hashes and posts one thumbnail, retrying what may pass next time; resolves with the server's checked answer. */
export async function uploadThumbnail(options: UploadThumbnailOptions): Promise<ThumbnailResult> {
  const { baseUrl, file, parentUuid, fieldPrefix = DEFAULT_FIELD_PREFIX, maxSize = DEFAULT_MAX_SIZE, signal } = options;
  if (!parentUuid)
    throw new UploadError(
      'rejected',
      'This thumbnail has no media to belong to. Upload the media first, then its thumbnail.',
    );
  const policy: RetryPolicy =
    options.retry === false ? { ...DEFAULT_RETRY, attempts: 1 } : { ...DEFAULT_RETRY, ...options.retry };
  const currentToken = () => tokenOf(options.token);
  try {
    const type = await validateImage(file, { maxSize });
    // The declared type is corrected to what the bytes really are.
    const typed = type === file.type ? file : new File([file], file.name, { type, lastModified: file.lastModified });
    // Decoded (a damaged image stops here), turned upright and scaled down before hashing: the MD5, size,
    // type and name sent all describe these bytes.
    const sent = await prepareImage(typed, { maxDimension: options.maxDimension, quality: options.quality, signal });
    if (sent.size > maxSize) throw tooLargeError(file.name || 'This image', sent.size, maxSize);
    // Hashed once: every retry sends the same bytes with the same MD5.
    const md5 = await md5Hex(sent, signal);
    const body = buildThumbnailForm({ file: sent, fileName: sent.name || 'thumbnail', parentUuid, md5 }, fieldPrefix);
    let refreshed: string | undefined;
    for (let attempt = 1; ; attempt += 1) {
      const token = refreshed ?? (await currentToken());
      try {
        const headers: Record<string, string> = { Accept: 'application/json' };
        if (token) headers.Authorization = `Bearer ${token}`;
        const answer = await sendForm({
          url: uploadUrl(baseUrl),
          body,
          headers,
          signal,
          onProgress: options.onProgress,
          idleTimeoutMs: options.idleTimeoutMs,
        });
        return readThumbnailResult(answer, parentUuid);
      } catch (error) {
        if (!(error instanceof UploadError)) throw error;
        if (error.kind === 'auth' && refreshed === undefined) {
          refreshed = (await (options.refreshToken ?? currentToken)()) ?? '';
          // A new sign-in is not one of the tries a failing server gets.
          if (refreshed && refreshed !== token) {
            attempt -= 1;
            continue;
          }
        }
        const delayMs = retryDelay(policy, attempt, error);
        if (delayMs === undefined || signal?.aborted) throw error;
        options.onRetry?.({ attempt: attempt + 1, attempts: policy.attempts, delayMs, error });
        await sleep(delayMs, signal);
      }
    }
  } catch (error) {
    throw toUploadError(error, signal);
  }
}

async function tokenOf(source: TokenSource): Promise<string | undefined> {
  try {
    return typeof source === 'function' ? await source() : source;
  } catch (cause) {
    throw new UploadError('auth', 'Your sign-in could not be refreshed. Sign in again, then retry.', { cause });
  }
}

function readThumbnailResult(answer: Record<string, unknown>, parentUuid: string): ThumbnailResult {
  const { file_url, file_uuid, parent_file_uuid } = answer;
  const bad = (what: string) =>
    new UploadError(
      'bad-response',
      `The server's answer ${what}, so the upload cannot be trusted. Retry, or contact support if it keeps happening.`,
    );
  if (!isFilled(file_url) || !isFilled(file_uuid) || !isFilled(parent_file_uuid))
    throw bad('is missing file_url, file_uuid or parent_file_uuid');
  if (!isSafeFileUrl(file_url)) throw bad('has a file_url that is not a web address');
  if (parent_file_uuid !== parentUuid) throw bad('names another media than the one sent');
  return { file_url, file_uuid, parent_file_uuid };
}

function isFilled(value: unknown): value is string {
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
