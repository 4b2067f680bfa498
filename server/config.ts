import { resolve } from 'node:path';
import { DEFAULT_FIELD_PREFIX } from '../src/core/protocol';

export interface ServerOptions {
  /** 0 picks a free port. Default 8787. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** The bearer token every upload must carry. Default `dev-token`. */
  token?: string;
  /** Where uploads are kept. Default `.data/`. */
  dataDir?: string;
  /** Largest accepted request body (and file). Default 32 MiB. */
  maxBodyBytes?: number;
  /** The prefix of the form fields; the unprefixed names are always accepted too. Default `qq`. */
  fieldPrefix?: string;
  /** Time a request has to arrive in full, body included, before it is cut off (408). Default 30 s. */
  requestTimeoutMs?: number;
  /** Uploads handled at once; more are refused with 429 and `Retry-After`. Default 8. */
  maxConcurrentUploads?: number;
  /** A chunked upload whose last part is older than this is deleted (swept at start and periodically). Default 24 h. */
  staleUploadMs?: number;
  /** Largest media assembled from chunks; a part that would pass it is refused with 413. Default 1 GiB. */
  maxChunkedFileBytes?: number;
}

export const DEFAULT_PORT = 8787;
export const DEFAULT_TOKEN = 'dev-token';
export const DEFAULT_DATA_DIR = '.data/';
export const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_CONCURRENT_UPLOADS = 8;
/** A chunked upload left this long after its last part is deleted: 24 h. */
export const DEFAULT_STALE_UPLOAD_MS = 24 * 60 * 60 * 1000;
/** Largest media assembled from chunks: 1 GiB. */
export const DEFAULT_MAX_CHUNKED_FILE_BYTES = 1024 * 1024 * 1024;

/** Every option with its default filled in, `dataDir` made absolute; a setting no server can run with throws. */
export function serverConfig(options: ServerOptions): Required<ServerOptions> {
  return {
    requestTimeoutMs: positiveInteger('requestTimeoutMs', options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS),
    maxConcurrentUploads: positiveInteger(
      'maxConcurrentUploads',
      options.maxConcurrentUploads ?? DEFAULT_MAX_CONCURRENT_UPLOADS,
    ),
    staleUploadMs: positiveInteger('staleUploadMs', options.staleUploadMs ?? DEFAULT_STALE_UPLOAD_MS),
    maxChunkedFileBytes: positiveInteger(
      'maxChunkedFileBytes',
      options.maxChunkedFileBytes ?? DEFAULT_MAX_CHUNKED_FILE_BYTES,
    ),
    port: options.port ?? DEFAULT_PORT,
    host: options.host ?? '127.0.0.1',
    token: options.token ?? DEFAULT_TOKEN,
    dataDir: resolve(options.dataDir ?? DEFAULT_DATA_DIR),
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    fieldPrefix: options.fieldPrefix ?? DEFAULT_FIELD_PREFIX,
  };
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1)
    throw new RangeError(`${name} must be a whole number above 0, not ${value}.`);
  return value;
}
