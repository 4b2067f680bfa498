export type UploadErrorKind =
  'invalid-file' | 'too-large' | 'auth' | 'forbidden' | 'rejected' | 'server' | 'network' | 'aborted' | 'bad-response';

export const IMAGE_TYPES_SENTENCE = 'Choose a PNG, JPEG, GIF, WebP, AVIF or BMP image.';

/** Kinds that a later automatic try may cure without anything changing on the person's side. */
const RETRYABLE: ReadonlySet<UploadErrorKind> = new Set(['server', 'network']);

/** Every failure of an upload, as a value: a `kind` to branch on and a message a person can act on. */
export class UploadError extends Error {
  override readonly name = 'UploadError';
  readonly kind: UploadErrorKind;
  readonly status?: number;
  readonly retryable: boolean;
  /** How long the server asked to wait before trying again (`Retry-After`), in milliseconds. */
  readonly retryAfterMs?: number;

  constructor(
    kind: UploadErrorKind,
    message: string,
    options: { status?: number; cause?: unknown; retryAfterMs?: number } = {},
  ) {
    super(message, { cause: options.cause });
    this.kind = kind;
    this.status = options.status;
    this.retryable = RETRYABLE.has(kind);
    this.retryAfterMs = options.retryAfterMs;
  }
}

export function isUploadError(value: unknown): value is UploadError {
  return value instanceof UploadError;
}

export function abortedError(cause?: unknown): UploadError {
  return new UploadError('aborted', 'The upload was cancelled.', { cause });
}

/** Whatever went wrong, as an UploadError: a file that can no longer be read, a bad address, a blocked hasher. */
export function toUploadError(error: unknown, signal?: AbortSignal): UploadError {
  if (signal?.aborted) return error instanceof UploadError && error.kind === 'aborted' ? error : abortedError(error);
  if (error instanceof UploadError) return error;
  const name = error instanceof Error ? error.name : '';
  if (name === 'NotReadableError' || name === 'NotFoundError') {
    return new UploadError(
      'invalid-file',
      'This file can no longer be read (was it moved or changed?). Choose it again.',
      { cause: error },
    );
  }
  return new UploadError('network', 'The upload could not start. Reload the page and retry.', { cause: error });
}

/** Turns a non-2xx answer into an error; `detail` is the server's own explanation, if it gave one. */
export function tooLargeError(what: string, size: number, maxSize: number): UploadError {
  return new UploadError(
    'too-large',
    `${what} is ${formatBytes(size)}; the limit is ${formatBytes(maxSize)}. Choose a smaller image.`,
  );
}

export function errorForStatus(status: number, detail?: string, retryAfterMs?: number): UploadError {
  const because = detail ? ` (${detail})` : '';
  const make = (kind: UploadErrorKind, message: string) => new UploadError(kind, message, { status, retryAfterMs });
  if (status === 401) return make('auth', 'Your session has expired. Sign in again, then retry.');
  if (status === 403)
    return make('forbidden', 'You are not allowed to upload here. Ask the owner of the conversation for access.');
  if (status === 413)
    return make('too-large', `The server refused the image as too large${because}. Choose a smaller image.`);
  if (status === 415)
    return make('invalid-file', `The server does not accept this type of file${because}. ${IMAGE_TYPES_SENTENCE}`);
  if (status === 408)
    return make('network', 'The server took too long to receive the image. Check your connection and retry.');
  if (status === 429) return make('server', 'The server is busy. Wait a moment, then retry.');
  if (status >= 500)
    return make('server', `The server failed to store the image (error ${status}). Retry in a moment.`);
  return make(
    'rejected',
    `The server refused the upload${because}. Reload the page and try again; if it keeps failing, contact support.`,
  );
}

export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : Number(value.toFixed(1))} ${units[unit]}`;
}
