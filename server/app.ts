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
import { UploadStore, type StoredUpload } from './store';
import { ChunkStore, type PendingUpload } from './chunks';

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
/** A chunked upload left this long after its last part is deleted: 24 h. */
export const DEFAULT_STALE_UPLOAD_MS = 24 * 60 * 60 * 1000;
/** Largest media assembled from chunks: 1 GiB. */
export const DEFAULT_MAX_CHUNKED_FILE_BYTES = 1024 * 1024 * 1024;
/** Each part rewrites the upload's record, which lists every part: this bounds that work. */
const MAX_TOTAL_PARTS = 10_000;
/** The stale sweep runs at least this often, so a long `staleUploadMs` still frees space in time. */
const MAX_SWEEP_INTERVAL_MS = 10 * 60 * 1000;
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
  chunks: ChunkStore;
  maxChunkedFileBytes: number;
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
  const staleUploadMs = positiveInteger('staleUploadMs', options.staleUploadMs ?? DEFAULT_STALE_UPLOAD_MS);
  const maxChunkedFileBytes = positiveInteger(
    'maxChunkedFileBytes',
    options.maxChunkedFileBytes ?? DEFAULT_MAX_CHUNKED_FILE_BYTES,
  );
  const store = new UploadStore(dataDir);
  await store.open();
  const chunks = new ChunkStore(dataDir);
  await chunks.open();
  // Uploads abandoned while the server was down go at start; the rest as they age: each is gone
  // between staleUploadMs and twice that (or staleUploadMs + 10 min) after its last part.
  await chunks.sweep(staleUploadMs);
  const sweeper = setInterval(
    () => {
      chunks.sweep(staleUploadMs).catch((error: unknown) => console.error('Stale upload sweep failed:', error));
    },
    Math.min(staleUploadMs, MAX_SWEEP_INTERVAL_MS),
  ).unref();

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
      await handleUpload(req, res, url, deadline, { store, chunks, maxChunkedFileBytes, prefix, origin });
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
        clearInterval(sweeper);
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
  if (url.searchParams.has('done')) return finishChunkedUpload;
  if (fields.has('partindex')) return storeChunk;
  if (fields.has('parentuuid')) return storeThumbnail;
  return storeMedia;
}

const storeMedia: CallHandler = async (form, context) => {
  const file = verifiedFile(form, context.prefix);
  const type = sniffImageType(file.head) ?? declaredType(form.fields.get('filetype') ?? file.partType);
  const record = await commit(context.store, file, {
    kind: 'media',
    parentUuid: null,
    type,
    originalName: form.fields.get('filename') || file.partName,
    fields: form.sentFields,
  });
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
  if (!parent && (await context.chunks.find(parentUuid))) {
    throw new HttpError(
      404,
      `The media ${parentUuid} is still being uploaded in chunks; send its ?done call before its thumbnail.`,
    );
  }
  if (parent?.kind !== 'media') {
    throw new HttpError(404, `Unknown parent media ${parentUuid}; upload the media first and send its file_uuid.`);
  }
  const record = await commit(context.store, file, {
    kind: 'thumbnail',
    parentUuid,
    type,
    originalName: form.fields.get('filename') || file.partName,
    fields: form.sentFields,
  });
  return { file_url: fileUrl(context, record), file_uuid: record.uuid, parent_file_uuid: parentUuid };
};

/**
 * One part of a chunked media: part 0 starts the upload and is answered its uuid; every later part
 * names it in `uuid` and must be the next one, starting where the bytes so far end.
 */
const storeChunk: CallHandler = async (form, context) => {
  const { fields, sentFields } = form;
  const name = (field: Field) => fieldName(field, context.prefix);
  const totalParts = wholeNumberField(fields, 'totalparts', context.prefix);
  const partIndex = wholeNumberField(fields, 'partindex', context.prefix);
  if (totalParts === undefined || totalParts < 1 || totalParts > MAX_TOTAL_PARTS) {
    throw new HttpError(400, `The field ${name('totalparts')} must be a whole number from 1 to ${MAX_TOTAL_PARTS}.`);
  }
  if (partIndex === undefined || partIndex >= totalParts) {
    throw new HttpError(400, `The field ${name('partindex')} must be a whole number from 0 to ${totalParts - 1}.`);
  }
  const part = receivedFile(form, context.prefix);
  const chunkSize = wholeNumberField(fields, 'chunksize', context.prefix);
  if (chunkSize !== undefined && chunkSize !== part.size) {
    throw new HttpError(400, `Size mismatch: ${name('chunksize')} says ${chunkSize} bytes but ${part.size} arrived.`);
  }
  const totalFileSize = wholeNumberField(fields, 'totalfilesize', context.prefix) ?? null;
  const byteOffset = wholeNumberField(fields, 'partbyteoffset', context.prefix);

  if (partIndex === 0) {
    const upload: PendingUpload = {
      uuid: randomUUID(),
      totalParts,
      nextPart: 0,
      size: 0,
      totalFileSize,
      fileName: fields.get('filename') || part.partName,
      fileType: fields.get('filetype') || part.partType,
      lastPart: null,
      parts: [],
      updatedAt: Date.now(),
    };
    checkPartFits(upload, part.size, byteOffset, context);
    await context.chunks.withLock(upload.uuid, () => context.chunks.append(upload, part, sentFields));
    return { file_uuid: upload.uuid };
  }

  const uuid = fields.get('uuid') ?? '';
  if (uuid === '') {
    throw new HttpError(
      400,
      `The field ${name('uuid')} is missing; parts after 0 send the file_uuid answered to part 0.`,
    );
  }
  return context.chunks.withLock(uuid, async () => {
    const upload = await pendingUpload(context, uuid);
    if (totalParts !== upload.totalParts) {
      throw new HttpError(400, `${name('totalparts')} is ${totalParts}, but part 0 said ${upload.totalParts}.`);
    }
    if (totalFileSize !== null && upload.totalFileSize !== null && totalFileSize !== upload.totalFileSize) {
      throw new HttpError(
        400,
        `${name('totalfilesize')} is ${totalFileSize}, but part 0 said ${upload.totalFileSize}.`,
      );
    }
    const last = upload.lastPart;
    // A retry of the part just stored, whose answer was lost on the way: the same answer again.
    if (last?.index === partIndex && last.size === part.size && last.md5 === part.md5) return { file_uuid: uuid };
    if (partIndex !== upload.nextPart) {
      const expected =
        upload.nextPart < upload.totalParts ? `part ${upload.nextPart} is next` : 'every part is in; send ?done';
      throw new HttpError(400, `Part ${partIndex} of ${uuid} is out of order: ${expected}. Send the parts in order.`);
    }
    checkPartFits(upload, part.size, byteOffset, context);
    await context.chunks.append(upload, part, sentFields);
    return { file_uuid: uuid };
  });
};

/** Refuses a part that does not start where the bytes so far end, or that makes the file too large. */
function checkPartFits(upload: PendingUpload, size: number, byteOffset: number | undefined, context: UploadContext) {
  const name = (field: Field) => fieldName(field, context.prefix);
  if (byteOffset !== undefined && byteOffset !== upload.size) {
    throw new HttpError(
      400,
      `${name('partbyteoffset')} is ${byteOffset}, but ${upload.size} bytes came before part ${upload.nextPart}.`,
    );
  }
  const max = context.maxChunkedFileBytes;
  if (upload.size + size > max || (upload.totalFileSize ?? 0) > max) {
    throw new HttpError(413, `The file is larger than this server accepts in chunks (${max} bytes).`);
  }
  if (upload.totalFileSize !== null && upload.size + size > upload.totalFileSize) {
    throw new HttpError(
      400,
      `The parts pass the ${upload.totalFileSize} bytes ${name('totalfilesize')} declared; send the file's own parts.`,
    );
  }
}

/**
 * `?done`: every part is in; the assembled file is checked against the declared size and MD5 and
 * stored as a media under the upload's uuid. A done sent again for a stored upload is answered again.
 */
const finishChunkedUpload: CallHandler = async ({ fields, sentFields }, context) => {
  const name = (field: Field) => fieldName(field, context.prefix);
  const uuid = fields.get('uuid') ?? '';
  if (uuid === '') throw new HttpError(400, `The field ${name('uuid')} is missing; send the file_uuid of part 0.`);
  if (!fields.get('filename')) throw new HttpError(400, `The field ${name('filename')} is missing.`);
  const totalParts = wholeNumberField(fields, 'totalparts', context.prefix);
  const totalFileSize = wholeNumberField(fields, 'totalfilesize', context.prefix);
  return context.chunks.withLock(uuid, async () => {
    const stored = await context.store.find(uuid);
    if (stored?.parts) {
      checkMd5(fields, stored.md5, context.prefix);
      return { file_url: fileUrl(context, stored), file_uuid: uuid };
    }
    const upload = await pendingUpload(context, uuid);
    if (totalParts !== undefined && totalParts !== upload.totalParts) {
      throw new HttpError(400, `${name('totalparts')} is ${totalParts}, but part 0 said ${upload.totalParts}.`);
    }
    if (upload.nextPart < upload.totalParts) {
      const missing =
        upload.nextPart === upload.totalParts - 1
          ? `${upload.nextPart}`
          : `${upload.nextPart} to ${upload.totalParts - 1}`;
      throw new HttpError(400, `Parts ${missing} of ${uuid} are missing; send every part before ?done.`);
    }
    if (totalFileSize !== undefined && totalFileSize !== upload.size) {
      throw new HttpError(
        400,
        `Size mismatch: ${name('totalfilesize')} says ${totalFileSize} bytes but ${upload.size} arrived.`,
      );
    }
    const { md5, head } = await context.chunks.digest(uuid);
    checkMd5(fields, md5, context.prefix);
    const type = sniffImageType(head) ?? declaredType(fields.get('filetype') || upload.fileType);
    // The assembled file is moved by the commit, and deleted if the commit fails: either way the
    // pending upload is over, and a later done call must be told so (404), not fail on a lost file.
    const record = await commit(
      context.store,
      { tempPath: context.chunks.dataPath(uuid), size: upload.size, md5 },
      {
        uuid,
        kind: 'media',
        parentUuid: null,
        type,
        originalName: fields.get('filename') || upload.fileName,
        fields: sentFields,
        parts: upload.parts,
      },
    ).finally(() => context.chunks.remove(uuid));
    return { file_url: fileUrl(context, record), file_uuid: uuid };
  });
};

async function pendingUpload(context: UploadContext, uuid: string): Promise<PendingUpload> {
  const upload = await context.chunks.find(uuid);
  if (!upload) {
    throw new HttpError(
      404,
      `Unknown chunked upload ${uuid}: never started, already done, or deleted after a long pause. Start again from part 0.`,
    );
  }
  return upload;
}

/** A field that must be a whole number when present; undefined when absent. */
function wholeNumberField(fields: Map<Field, string>, field: Field, prefix: string): number | undefined {
  const value = fields.get(field);
  if (value === undefined) return undefined;
  if (!/^\d{1,15}$/.test(value)) {
    throw new HttpError(400, `The field ${fieldName(field, prefix)} must be a whole number, not "${value}".`);
  }
  return Number(value);
}

/** The file the form carries, refused when missing or empty. */
function receivedFile({ fields, file }: ReceivedForm, prefix: string): ReceivedFile {
  const name = fieldName('file', prefix);
  if (!file && fields.has('file')) {
    throw new HttpError(400, `The field ${name} holds text; send it as a file part (a Blob in FormData).`);
  }
  if (!file) throw new HttpError(400, `The field ${name} is missing; send the file in it.`);
  if (file.size === 0) throw new HttpError(400, `The file in ${name} is empty.`);
  return file;
}

/** The file, checked against the size and MD5 the client declared. */
function verifiedFile(form: ReceivedForm, prefix: string): ReceivedFile {
  const { fields } = form;
  const name = (field: Field) => fieldName(field, prefix);
  const file = receivedFile(form, prefix);
  const totalFileSize = wholeNumberField(fields, 'totalfilesize', prefix);
  if (totalFileSize !== undefined && totalFileSize !== file.size) {
    throw new HttpError(
      400,
      `Size mismatch: ${name('totalfilesize')} says ${totalFileSize} bytes but ${file.size} arrived.`,
    );
  }
  checkMd5(fields, file.md5, prefix);
  return file;
}

/** Refuses a declared `md5` that is malformed or differs from what the bytes received hash to. */
function checkMd5(fields: Map<Field, string>, actual: string, prefix: string): void {
  const md5 = fields.get('md5')?.toLowerCase();
  if (md5 === undefined) return;
  const name = fieldName('md5', prefix);
  if (!/^[0-9a-f]{32}$/.test(md5)) throw new HttpError(400, `The field ${name} must be 32 hex digits, not "${md5}".`);
  if (md5 !== actual) {
    throw new HttpError(400, `MD5 mismatch: ${name} is ${md5} but the bytes received hash to ${actual}.`);
  }
}

/**
 * Stores the file (moved from `tempPath`) with its record, under a new uuid, or under the uuid a
 * chunked upload was answered at part 0.
 */
async function commit(
  store: UploadStore,
  file: { tempPath: string; size: number; md5: string },
  what: Pick<StoredUpload, 'kind' | 'parentUuid' | 'type' | 'originalName' | 'fields' | 'parts'> & { uuid?: string },
): Promise<StoredUpload> {
  const { uuid = randomUUID(), parts, ...described } = what;
  const record: StoredUpload = {
    uuid,
    ...described,
    size: file.size,
    md5: file.md5,
    storedName: `${uuid}.${EXTENSIONS[what.type] ?? 'bin'}`,
    ...(parts && { parts }),
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
