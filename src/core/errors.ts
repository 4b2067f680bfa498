export type UploadErrorKind =
  'invalid-file' | 'too-large' | 'auth' | 'forbidden' | 'rejected' | 'server' | 'network' | 'aborted' | 'bad-response';

/**
 * What exactly went wrong within a kind, for a sentence in another language: the kind says what
 * the app can do, the reason what the person is told.
 */
export type UploadErrorReason =
  /** invalid-file */
  | 'empty'
  | 'not-an-image'
  | 'damaged'
  | 'unpreparable'
  | 'unreadable'
  /** invalid-file: a video this browser cannot decode, or one without a picture to take */
  | 'video-unreadable'
  | 'no-picture'
  | 'not-resumable'
  | 'not-accepted'
  | 'too-many-files'
  /** too-large: the file chosen (`size`) is over `limit` */
  | 'file-too-large'
  /** auth: `getToken` threw */
  | 'sign-in-failed'
  /** rejected: a thumbnail without a media */
  | 'no-parent'
  /** network */
  | 'unreachable'
  | 'stalled'
  | 'not-started'
  /** bad-response */
  | 'not-a-result'
  | 'unsafe-url'
  | 'wrong-parent'
  | 'missing-fields';

/** The data a sentence about an error needs; every field is optional, a label uses what is there. */
export interface UploadErrorDetails {
  reason?: UploadErrorReason;
  /** Name of the file concerned, as the person chose it. */
  fileName?: string;
  /** Size of the file concerned, in bytes. */
  size?: number;
  /** The limit it went over, in bytes. */
  limit?: number;
  /** The server's own short explanation, when it gave one (in its language). */
  detail?: string;
  /** Seconds waited without progress (reason `stalled`). */
  seconds?: number;
}

const IMAGE_TYPES_SENTENCE = 'Choose a PNG, JPEG, GIF, WebP, AVIF or BMP image.';

/**
 * Every failure of an upload, as a value: a `kind` to branch on, `details` for a sentence in the
 * person's language, and an English `message` for developers and logs.
 */
export class UploadError extends Error {
  override readonly name = 'UploadError';
  readonly kind: UploadErrorKind;
  readonly status?: number;
  readonly retryable: boolean;
  /** How long the server asked to wait before trying again (`Retry-After`), in milliseconds. */
  readonly retryAfterMs?: number;
  /** What a translated sentence needs: the reason, the file's name, its size and the limit, the server's detail. */
  readonly details: UploadErrorDetails;

  constructor(
    kind: UploadErrorKind,
    message: string,
    options: { status?: number; cause?: unknown; retryAfterMs?: number; details?: UploadErrorDetails } = {},
  ) {
    super(message, { cause: options.cause });
    this.kind = kind;
    this.status = options.status;
    // What a later automatic try may cure without anything changing on the person's side.
    this.retryable = kind === 'server' || kind === 'network';
    this.retryAfterMs = options.retryAfterMs;
    this.details = options.details ?? {};
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
  if (name === 'NotReadableError' || name === 'NotFoundError')
    return detailedError('invalid-file', { reason: 'unreadable' }, { cause: error });
  return detailedError('network', { reason: 'not-started' }, { cause: error });
}

/** An error whose English message is made from its details, the same sentence the default labels show. */
export function detailedError(
  kind: UploadErrorKind,
  details: UploadErrorDetails,
  options: { status?: number; cause?: unknown; retryAfterMs?: number; noun?: 'image' | 'file' } = {},
): UploadError {
  const { noun, ...rest } = options;
  const message = errorSentence({ kind, status: options.status, ...details }, formatBytes, noun) ?? kind;
  return new UploadError(kind, message, { ...rest, details });
}

export function tooLargeError(what: string, size: number, maxSize: number): UploadError {
  return detailedError('too-large', { reason: 'file-too-large', fileName: what, size, limit: maxSize });
}

/** Turns a non-2xx answer into an error; `detail` is the server's own explanation, if it gave one. */
export function errorForStatus(status: number, detail?: string, retryAfterMs?: number): UploadError {
  return detailedError(kindForStatus(status), { detail }, { status, retryAfterMs });
}

function kindForStatus(status: number): UploadErrorKind {
  if (status === 401) return 'auth';
  if (status === 403) return 'forbidden';
  if (status === 413) return 'too-large';
  if (status === 415) return 'invalid-file';
  if (status === 408) return 'network';
  if (status === 429 || status >= 500) return 'server';
  return 'rejected';
}

/** What an English sentence about an error is made from. */
export interface ErrorSentenceParams extends UploadErrorDetails {
  kind: UploadErrorKind;
  status?: number;
}

/**
 * The English sentence a person is shown for an error, or `undefined` when its details do not say
 * enough (the error's own message is then the sentence). `noun` is what the widget takes.
 */
export function errorSentence(
  { kind, status, reason, fileName, size, limit, detail, seconds }: ErrorSentenceParams,
  format: (bytes: number) => string = formatBytes,
  noun: 'image' | 'file' = 'image',
): string | undefined {
  const name = fileName || `This ${noun}`;
  const because = detail ? ` (${detail})` : '';
  if (reason === 'file-too-large' && size !== undefined && limit !== undefined)
    return `${name} is ${format(size)}; the limit is ${format(limit)}. Choose a smaller ${noun}.`;
  switch (reason) {
    case 'empty':
      return `This file is empty. Choose ${noun === 'image' ? 'an image' : 'a file'} that has content.`;
    case 'not-an-image':
      return `${fileName || 'This file'} is not an image we can use. ${IMAGE_TYPES_SENTENCE}`;
    case 'damaged':
      return 'This image is damaged or incomplete and cannot be shown. Choose another copy of it.';
    case 'unpreparable':
      return 'This image could not be prepared for upload. Choose another image, or save it as a JPEG or PNG first.';
    case 'not-resumable':
      return 'This upload cannot be resumed with this file: it is not the file that was paused. Start the upload over.';
    case 'video-unreadable':
      return 'This video cannot be read in this browser, or it is damaged. Choose an MP4 or WebM video, or choose a picture for its thumbnail.';
    case 'no-picture':
      return 'This file has no picture to show. Choose a video, or a picture for its thumbnail.';
    case 'unreadable':
      return 'This file can no longer be read (was it moved or changed?). Choose it again.';
    case 'not-accepted':
      return `${name} is not one of the types this page accepts.`;
    case 'too-many-files':
      return `Drop one ${noun} at a time.`;
    case 'sign-in-failed':
      return 'Your sign-in could not be refreshed. Sign in again, then retry.';
    case 'no-parent':
      return 'This thumbnail has no media to belong to. Upload the media first, then its thumbnail.';
    case 'unreachable':
      return 'The upload could not reach the server. Check your connection and retry.';
    case 'stalled':
      return `The server stopped responding for ${seconds ?? 60} seconds. Check your connection and retry.`;
    case 'not-started':
      return 'The upload could not start. Reload the page and retry.';
    case 'missing-fields':
      return untrusted('is missing file_url, file_uuid or parent_file_uuid');
    case 'unsafe-url':
      return untrusted('has a file_url that is not a web address');
    case 'wrong-parent':
      return untrusted('names another media than the one sent');
  }
  if (reason === 'not-a-result' || (kind === 'bad-response' && status !== undefined))
    return 'The server answered something that is not an upload result. Retry later, or contact support if it keeps happening.';
  if (status === undefined) return undefined;
  if (status === 401) return 'Your session has expired. Sign in again, then retry.';
  if (status === 403) return 'You are not allowed to upload here. Ask the owner of the conversation for access.';
  if (status === 413) return `The server refused the ${noun} as too large${because}. Choose a smaller ${noun}.`;
  if (status === 415)
    return `The server does not accept this type of file${because}. ${noun === 'image' ? IMAGE_TYPES_SENTENCE : 'Choose a file of a type this page accepts.'}`;
  if (status === 408) return `The server took too long to receive the ${noun}. Check your connection and retry.`;
  if (status === 429) return 'The server is busy. Wait a moment, then retry.';
  if (status >= 500) return `The server failed to store the ${noun} (error ${status}). Retry in a moment.`;
  return `The server refused the upload${because}. Reload the page and try again; if it keeps failing, contact support.`;
}

function untrusted(what: string): string {
  return `The server's answer ${what}, so the upload cannot be trusted. Retry, or contact support if it keeps happening.`;
}

/** Bytes as a person reads them, in their language: "100 bytes", "1.5 kB", "10 MB" (1 kB = 1024 bytes here). */
export function formatBytes(bytes: number, locale = 'en'): string {
  const units = ['byte', 'kilobyte', 'megabyte', 'gigabyte'] as const;
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return new Intl.NumberFormat(locale, {
    style: 'unit',
    unit: units[unit],
    // "100 bytes" reads better than "100 byte"; the larger units are short ("kB", "MB").
    unitDisplay: unit === 0 ? 'long' : 'short',
    maximumFractionDigits: 1,
  }).format(value);
}
