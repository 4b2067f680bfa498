import { formatBytes } from './format';

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
  /** invalid-file: a HEIC/HEIF photo this browser cannot decode, its decoder turned off (`heic: false`) */
  | 'heic-unsupported'
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

/** An error whose short English message is made from its details; the widgets word it from the details. */
export function detailedError(
  kind: UploadErrorKind,
  details: UploadErrorDetails,
  options: { status?: number; cause?: unknown; retryAfterMs?: number } = {},
): UploadError {
  return new UploadError(kind, englishMessage(kind, details, options.status), { ...options, details });
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

/**
 * Short English for developers and logs, from the details ("Upload failed: file too large, 3 MB
 * over 2 MB (cat.png)."); what a person reads is worded by the widgets' labels.
 */
function englishMessage(kind: UploadErrorKind, details: UploadErrorDetails, status?: number): string {
  const { reason, fileName, size, limit, detail, seconds } = details;
  const sizes = size !== undefined && limit !== undefined ? `, ${formatBytes(size)} over ${formatBytes(limit)}` : '';
  const wait = seconds === undefined ? '' : ` for ${seconds} s`;
  return `Upload failed: ${(reason ?? kind).replace(/-/g, ' ')}${sizes}${wait}${fileName ? ` (${fileName})` : ''}${
    status ? `, HTTP ${status}` : ''
  }${detail ? `: ${detail}` : ''}.`;
}
