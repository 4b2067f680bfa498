import { rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UPLOAD_PATH } from '../src/core/protocol';
import { checkToken } from './auth';
import type { UploadCall, UploadContext } from './calls/call';
import { placeOfChunk, storeChunk } from './calls/chunk';
import { finishChunkedUpload } from './calls/done';
import { storeMedia } from './calls/media';
import { storeThumbnail } from './calls/thumbnail';
import { ChunkStore } from './chunks';
import { serverConfig, type ServerOptions } from './config';
import { fieldReader, type FieldReader } from './fields';
import { FILES_PATH, serveFile } from './files';
import { HttpError, sendError, sendJson } from './http';
import { receiveForm } from './multipart';
import { UploadStore } from './store';

export {
  DEFAULT_DATA_DIR,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_MAX_CHUNKED_FILE_BYTES,
  DEFAULT_MAX_CONCURRENT_UPLOADS,
  DEFAULT_PORT,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DEFAULT_STALE_UPLOAD_MS,
  DEFAULT_TOKEN,
  type ServerOptions,
} from './config';

export interface RunningServer {
  url: string;
  port: number;
  token: string;
  dataDir: string;
  close(): Promise<void>;
}

/** The stale sweep runs at least this often, so a long `staleUploadMs` still frees space in time. */
const MAX_SWEEP_INTERVAL_MS = 10 * 60 * 1000;
/** An upload here takes milliseconds, so a refused client may try again almost at once. */
const RETRY_AFTER_SECONDS = 1;

const PREFLIGHT_HEADERS = {
  'Access-Control-Allow-Methods': 'POST, GET, OPTIONS',
  'Access-Control-Allow-Headers': 'Authorization, Content-Type, Accept',
  'Access-Control-Max-Age': '600',
};

const HOST_HEADER = /^([a-z0-9.-]+|\[[0-9a-f:.]+\])(:\d{1,5})?$/i;
const CLOSE_GRACE_MS = 3000;
/** How long a timed-out client has to read its 408 before its connection is cut. */
const TIMED_OUT_GRACE_MS = 1000;

export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const config = serverConfig(options);
  const {
    host,
    token,
    dataDir,
    maxBodyBytes,
    fieldPrefix: prefix,
    requestTimeoutMs,
    maxConcurrentUploads,
    staleUploadMs,
    maxChunkedFileBytes,
  } = config;
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
    } else if (path.startsWith(FILES_PATH)) {
      requireMethod(req, ['GET', 'HEAD']);
      await serveFile(req, res, store, path.slice(FILES_PATH.length));
    } else if (path === UPLOAD_PATH || path === UPLOAD_PATH.replace(/\/$/, '')) {
      requireMethod(req, ['POST']);
      const origin = HOST_HEADER.test(req.headers.host ?? '') ? `http://${req.headers.host}` : ownOrigin;
      await handleUpload(req, res, url, deadline, { store, chunks, maxChunkedFileBytes, origin });
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
        // A later part goes straight to its place in the assembled file.
        placeFile: async (sent) => (isDone(url) ? undefined : placeOfChunk(fieldReader(sent, prefix), context)),
        signal: deadline,
      });
      const fields = fieldReader(form.fields, prefix);
      try {
        answer = await callFor(url, fields)({ ...form, fields }, context);
      } finally {
        // After a commit the temp file is gone; after any failure this is the cleanup.
        if (form.file && form.file.placedAt === undefined) await rm(form.file.tempPath, { force: true });
      }
    } finally {
      uploadsInFlight -= 1;
    }
    sendJson(res, 200, answer);
  }

  await new Promise<void>((resolveListen, rejectListen) => {
    server.once('error', rejectListen);
    server.listen(config.port, host, () => {
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

/** The done call: `?done`, or `?done/` as the platform's pages write it. */
function isDone(url: URL): boolean {
  return url.searchParams.has('done') || url.searchParams.has('done/');
}

/** Which call of the family this is: `?done`, a chunk (`partindex`), a thumbnail (`parentuuid`) or a media. */
function callFor(url: URL, fields: FieldReader): UploadCall {
  if (isDone(url)) return finishChunkedUpload;
  if (fields.has('partindex')) return storeChunk;
  if (fields.has('parentuuid')) return storeThumbnail;
  return storeMedia;
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}
