import { rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UPLOAD_PATH } from '../src/core/protocol';
import { checkToken } from './auth';
import { callFor } from './calls';
import { ChunkStore } from './chunks';
import { serverConfig, type ServerOptions } from './config';
import { requestDeadline } from './deadline';
import { fieldReader } from './fields';
import { serveFile } from './files';
import { HttpError, sendError, sendJson } from './http';
import { receiveForm } from './multipart';
import { UploadStore } from './store';

export * from './config';

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

/**
 * The reference API on loopback: CORS, a deadline per request, the token, the routes (health, the
 * stored files, the upload endpoint), and the call of the upload family each form is (see calls/).
 */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const {
    port,
    host,
    token,
    dataDir,
    maxBodyBytes,
    fieldPrefix: prefix,
    requestTimeoutMs,
    maxConcurrentUploads,
    staleUploadMs,
    maxChunkedFileBytes,
  } = serverConfig(options);
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
      await handleUpload(req, res, url, deadline, origin);
    } else {
      throw new HttpError(404, `Nothing here: ${path}. The upload endpoint is POST ${UPLOAD_PATH}.`);
    }
  }

  async function handleUpload(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    deadline: AbortSignal,
    origin: string,
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
        const fields = fieldReader(form, prefix);
        answer = await callFor(url, fields)({ form, fields, store, chunks, maxChunkedFileBytes, origin });
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
    server.listen(port, host, () => {
      server.off('error', rejectListen);
      resolveListen();
    });
  });
  const listening = (server.address() as AddressInfo).port;
  ownOrigin = `http://${urlHost(host)}:${listening}`;

  return {
    url: ownOrigin,
    port: listening,
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

function requireMethod(req: IncomingMessage, allowed: string[]): void {
  if (!allowed.includes(req.method ?? '')) {
    throw new HttpError(405, `${req.method} is not allowed here; use ${allowed.join(' or ')}.`, {
      Allow: [...allowed, 'OPTIONS'].join(', '),
    });
  }
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}
