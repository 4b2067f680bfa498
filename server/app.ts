import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { open, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { DEFAULT_FIELD_PREFIX, UPLOAD_PATH, fieldName, type Field } from '../src/core/protocol';
import { HttpError, sendError, sendJson } from './http';
import { receiveForm, type ReceivedFile, type ReceivedForm } from './multipart';
import { sniffImageType } from '../src/core/sniff';
import { UploadStore, type StoredUpload, type UploadKind } from './store';

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
}

export interface RunningServer {
  url: string;
  port: number;
  token: string;
  dataDir: string;
  close(): Promise<void>;
}

export const DEFAULT_PORT = 8787;
export const DEFAULT_TOKEN = 'dev-token';
export const DEFAULT_DATA_DIR = '.data/';
export const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_CONCURRENT_UPLOADS = 8;
/** An upload here takes milliseconds, so a refused client may try again almost at once. */
const RETRY_AFTER_SECONDS = 1;

const PREFLIGHT_HEADERS = {
  'Access-Control-Allow-Methods': 'POST, GET, OPTIONS',
  'Access-Control-Allow-Headers': 'Authorization, Content-Type, Accept',
  'Access-Control-Max-Age': '600',
};

const EXTENSIONS: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'image/avif': 'avif',
  'image/bmp': 'bmp',
  'video/mp4': 'mp4',
  'video/webm': 'webm',
  'video/quicktime': 'mov',
  'audio/mpeg': 'mp3',
  'audio/mp4': 'm4a',
  'audio/ogg': 'ogg',
  'audio/wav': 'wav',
  'audio/webm': 'weba',
  'application/pdf': 'pdf',
  'text/plain': 'txt',
};

const MIME_TYPE = /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/;
const HOST_HEADER = /^([a-z0-9.-]+|\[[0-9a-f:.]+\])(:\d{1,5})?$/i;
const CLOSE_GRACE_MS = 3000;
/** How long a timed-out client has to read its 408 before its connection is cut. */
const TIMED_OUT_GRACE_MS = 1000;

/** What one call of the upload family does with a form it has read; chunked calls slot in here. */
type CallHandler = (form: ReceivedForm, context: UploadContext) => Promise<object>;

interface UploadContext {
  store: UploadStore;
  prefix: string;
  /** `http://host:port` as the client reached us, so answered URLs work from its origin. */
  origin: string;
}

export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? DEFAULT_TOKEN;
  const dataDir = resolve(options.dataDir ?? DEFAULT_DATA_DIR);
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const prefix = options.fieldPrefix ?? DEFAULT_FIELD_PREFIX;
  const requestTimeoutMs = positiveInteger('requestTimeoutMs', options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS);
  const maxConcurrentUploads = positiveInteger(
    'maxConcurrentUploads',
    options.maxConcurrentUploads ?? DEFAULT_MAX_CONCURRENT_UPLOADS,
  );
  const store = new UploadStore(dataDir);
  await store.open();

  let ownOrigin = '';
  let uploadsInFlight = 0;
  const server = createServer(
    {
      // Node's own limits stay as a backstop behind the deadline below, which answers in JSON and
      // removes the temp file; they also cover a client that never finishes its headers.
      requestTimeout: requestTimeoutMs + 5000,
      headersTimeout: Math.min(60_000, requestTimeoutMs),
    },
    (req, res) => {
      // Storybook and other pages on another origin read the answers and show the files.
      res.setHeader('Access-Control-Allow-Origin', '*');
      // Without this a browser hides Retry-After from the page, and the client could not honour it.
      res.setHeader('Access-Control-Expose-Headers', 'Retry-After');
      const deadline = requestDeadline(req, res, requestTimeoutMs);
      route(req, res, deadline).catch((error: unknown) => {
        if (!(error instanceof HttpError)) {
          console.error('Upload server error:', error);
          error = new HttpError(500, 'The server failed to handle the request; see its log.');
        }
        sendError(req, res, error as HttpError);
      });
    },
  );

  async function route(req: IncomingMessage, res: ServerResponse, deadline: AbortSignal): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://placeholder');
    const path = url.pathname;
    if (req.method === 'OPTIONS') {
      res.writeHead(204, PREFLIGHT_HEADERS).end();
    } else if (path === '/health') {
      requireMethod(req, ['GET', 'HEAD']);
      sendJson(res, 200, { ok: true });
    } else if (path.startsWith('/files/')) {
      requireMethod(req, ['GET', 'HEAD']);
      await serveFile(req, res, store, path.slice('/files/'.length));
    } else if (path === UPLOAD_PATH || path === UPLOAD_PATH.replace(/\/$/, '')) {
      requireMethod(req, ['POST']);
      const origin = HOST_HEADER.test(req.headers.host ?? '') ? `http://${req.headers.host}` : ownOrigin;
      await handleUpload(req, res, url, deadline, { store, prefix, origin });
    } else {
      throw new HttpError(404, `Nothing here: ${path}. The upload endpoint is POST ${UPLOAD_PATH}.`);
    }
  }

  async function handleUpload(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    deadline: AbortSignal,
    context: UploadContext,
  ) {
    // Everything that needs no body is checked before reading it; lasting refusals before 429,
    // so that a client never retries what can never succeed.
    checkToken(req.headers.authorization, token);
    const contentType = req.headers['content-type'] ?? '';
    if (!/^multipart\/form-data\s*(;|$)/i.test(contentType)) {
      throw new HttpError(
        415,
        `Send the upload as multipart/form-data, not ${contentType || 'a body without Content-Type'}.`,
      );
    }
    const declaredLength = Number(req.headers['content-length']);
    if (declaredLength > maxBodyBytes) {
      throw new HttpError(413, `The request is ${declaredLength} bytes; this server accepts at most ${maxBodyBytes}.`);
    }
    if (uploadsInFlight >= maxConcurrentUploads) {
      throw new HttpError(
        429,
        `The server is busy with ${uploadsInFlight} uploads; try again in ${RETRY_AFTER_SECONDS} s.`,
        { 'Retry-After': String(RETRY_AFTER_SECONDS) },
      );
    }

    // The slot is freed before answering, so that a client may send its next upload on the answer.
    uploadsInFlight += 1;
    let answer: object;
    try {
      const form = await receiveForm(req, {
        prefix,
        maxFileBytes: maxBodyBytes,
        tempFilePath: () => store.tempFilePath(),
        signal: deadline,
      });
      try {
        answer = await callFor(url, form.fields)(form, context);
      } finally {
        // After a commit the temp file is gone; after any failure this is the cleanup.
        if (form.file) await rm(form.file.tempPath, { force: true });
      }
    } finally {
      uploadsInFlight -= 1;
    }
    sendJson(res, 200, answer);
  }

  await new Promise<void>((resolveListen, rejectListen) => {
    server.once('error', rejectListen);
    server.listen(options.port ?? DEFAULT_PORT, host, () => {
      server.off('error', rejectListen);
      resolveListen();
    });
  });
  const port = (server.address() as AddressInfo).port;
  ownOrigin = `http://${urlHost(host)}:${port}`;

  return {
    url: ownOrigin,
    port,
    token,
    dataDir,
    close: () =>
      new Promise<void>((resolveClose, rejectClose) => {
        // Uploads in flight get a moment to finish; idle keep-alive connections would hold close() forever.
        const force = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS).unref();
        server.close((error) => {
          clearTimeout(force);
          if (error) rejectClose(error);
          else resolveClose();
        });
        server.closeIdleConnections();
      }),
  };
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1)
    throw new RangeError(`${name} must be a whole number above 0, not ${value}.`);
  return value;
}

/**
 * The time a request has to arrive in full, from its headers on. A client that stalls or trickles
 * mid-body would otherwise hold its connection, its upload slot and a temp file for ever. While
 * the body is being read the signal aborts the read: the temp file is removed and 408 answered.
 * The connection is then cut, after a grace for the client to read the 408: closing a socket the
 * client is still writing to resets it, and a reset can destroy the answer before it is read.
 * A request answered earlier (a refusal whose rest is being drained) is cut at once.
 */
function requestDeadline(req: IncomingMessage, res: ServerResponse, timeoutMs: number): AbortSignal {
  const controller = new AbortController();
  const cut = () => {
    if (!req.complete) req.socket.destroy();
  };
  const timer = setTimeout(() => {
    if (req.complete) return;
    if (res.headersSent) return cut();
    const seconds = Math.round(timeoutMs / 100) / 10;
    controller.abort(
      new HttpError(
        408,
        `The request did not arrive in full within ${seconds} s; send it again over a steadier connection.`,
      ),
    );
    setTimeout(cut, TIMED_OUT_GRACE_MS).unref();
  }, timeoutMs).unref();
  // 'close' comes once the request has been read to its end, or its connection is gone.
  req.once('close', () => clearTimeout(timer));
  return controller.signal;
}

function requireMethod(req: IncomingMessage, allowed: string[]): void {
  if (!allowed.includes(req.method ?? '')) {
    throw new HttpError(405, `${req.method} is not allowed here; use ${allowed.join(' or ')}.`, {
      Allow: [...allowed, 'OPTIONS'].join(', '),
    });
  }
}

function checkToken(authorization: string | undefined, token: string): void {
  if (!authorization) {
    throw new HttpError(401, 'The Authorization header is missing; send "Authorization: Bearer <token>".', {
      'WWW-Authenticate': 'Bearer',
    });
  }
  const given = /^Bearer\s+(.+)$/i.exec(authorization)?.[1]?.trim();
  if (given === undefined) {
    throw new HttpError(401, 'The Authorization header must be "Bearer <token>".', { 'WWW-Authenticate': 'Bearer' });
  }
  // Compared as digests so the time taken says nothing about how much of the token was right.
  const digest = (value: string) => createHash('sha256').update(value).digest();
  if (!timingSafeEqual(digest(given), digest(token))) {
    throw new HttpError(401, 'The bearer token is not valid.', { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
  }
}

/** Which call of the family this is: `?done`, a chunk (`partindex`), a thumbnail (`parentuuid`) or a media. */
function callFor(url: URL, fields: Map<Field, string>): CallHandler {
  if (url.searchParams.has('done')) return notImplemented('Chunk Upload Done (?done)');
  if (fields.has('partindex')) return notImplemented('Upload a Media in Chunks');
  if (fields.has('parentuuid')) return storeThumbnail;
  return storeMedia;
}

function notImplemented(call: string): CallHandler {
  return async () => {
    throw new HttpError(501, `${call} is not supported by this server yet.`);
  };
}

const storeMedia: CallHandler = async (form, context) => {
  const file = verifiedFile(form, context.prefix);
  const type = sniffImageType(file.head) ?? declaredType(form.fields.get('filetype') ?? file.partType);
  const record = await commit(context.store, file, form, { kind: 'media', parentUuid: null, type });
  return { file_url: fileUrl(context, record), file_uuid: record.uuid };
};

const storeThumbnail: CallHandler = async (form, context) => {
  const parentUuid = form.fields.get('parentuuid') ?? '';
  if (parentUuid === '') {
    throw new HttpError(
      400,
      `The field ${fieldName('parentuuid', context.prefix)} is empty; send the file_uuid of the media.`,
    );
  }
  const file = verifiedFile(form, context.prefix);
  const type = sniffImageType(file.head);
  if (!type) throw new HttpError(415, 'The thumbnail is not an image; send a PNG, JPEG, GIF, WebP, AVIF or BMP.');
  const parent = await context.store.find(parentUuid);
  if (parent?.kind !== 'media') {
    throw new HttpError(404, `Unknown parent media ${parentUuid}; upload the media first and send its file_uuid.`);
  }
  const record = await commit(context.store, file, form, { kind: 'thumbnail', parentUuid, type });
  return { file_url: fileUrl(context, record), file_uuid: record.uuid, parent_file_uuid: parentUuid };
};

/** The file, checked against the size and MD5 the client declared. */
function verifiedFile({ fields, file }: ReceivedForm, prefix: string): ReceivedFile {
  const name = (field: Field) => fieldName(field, prefix);
  if (!file && fields.has('file')) {
    throw new HttpError(400, `The field ${name('file')} holds text; send it as a file part (a Blob in FormData).`);
  }
  if (!file) throw new HttpError(400, `The field ${name('file')} is missing; send the file in it.`);
  if (file.size === 0) throw new HttpError(400, `The file in ${name('file')} is empty.`);
  const totalFileSize = fields.get('totalfilesize');
  if (totalFileSize !== undefined) {
    if (!/^\d+$/.test(totalFileSize)) {
      throw new HttpError(
        400,
        `The field ${name('totalfilesize')} must be a whole number of bytes, not "${totalFileSize}".`,
      );
    }
    if (Number(totalFileSize) !== file.size) {
      throw new HttpError(
        400,
        `Size mismatch: ${name('totalfilesize')} says ${totalFileSize} bytes but ${file.size} arrived.`,
      );
    }
  }
  const md5 = fields.get('md5')?.toLowerCase();
  if (md5 !== undefined) {
    if (!/^[0-9a-f]{32}$/.test(md5)) {
      throw new HttpError(400, `The field ${name('md5')} must be 32 hex digits, not "${md5}".`);
    }
    if (md5 !== file.md5) {
      throw new HttpError(400, `MD5 mismatch: ${name('md5')} is ${md5} but the bytes received hash to ${file.md5}.`);
    }
  }
  return file;
}

async function commit(
  store: UploadStore,
  file: ReceivedFile,
  form: ReceivedForm,
  what: { kind: UploadKind; parentUuid: string | null; type: string },
): Promise<StoredUpload> {
  const uuid = randomUUID();
  const record: StoredUpload = {
    uuid,
    ...what,
    originalName: form.fields.get('filename') || file.partName,
    size: file.size,
    md5: file.md5,
    storedName: `${uuid}.${EXTENSIONS[what.type] ?? 'bin'}`,
    fields: form.sentFields,
    createdAt: new Date().toISOString(),
  };
  await store.commit(file.tempPath, record);
  return record;
}

function declaredType(type: string): string {
  const essence = type.split(';')[0]!.trim().toLowerCase();
  return MIME_TYPE.test(essence) ? essence : 'application/octet-stream';
}

function fileUrl(context: UploadContext, record: StoredUpload): string {
  return `${context.origin}/files/${record.storedName}`;
}

async function serveFile(req: IncomingMessage, res: ServerResponse, store: UploadStore, encodedName: string) {
  let name: string;
  try {
    name = decodeURIComponent(encodedName);
  } catch {
    name = '';
  }
  const found = await store.findByStoredName(name);
  const file = found && (await open(found.path).catch(() => undefined));
  if (!found || !file) throw new HttpError(404, `No stored file is named ${JSON.stringify(name)}.`);
  const { size } = await file.stat();
  res.writeHead(200, {
    'Content-Type': found.record.type,
    'Content-Length': String(size),
    'X-Content-Type-Options': 'nosniff',
    // A media may declare any type, text/html included: never let it run as a page of this origin.
    'Content-Security-Policy': "sandbox; default-src 'none'; img-src 'self'; media-src 'self'",
    'Cross-Origin-Resource-Policy': 'cross-origin',
    // Stored names are never reused, so the bytes behind a URL never change.
    'Cache-Control': 'public, max-age=31536000, immutable',
  });
  if (req.method === 'HEAD') {
    await file.close();
    res.end();
    return;
  }
  await pipeline(file.createReadStream(), res);
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}
