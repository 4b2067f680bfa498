import type { IncomingMessage, ServerResponse } from 'node:http';

/** A failure the client caused or should know about; its message is shown to the client as is. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
    'Cache-Control': 'no-store',
  });
  res.end(text);
}

/** How much of an unwanted body is read and thrown away before the connection is cut instead. */
const DRAIN_LIMIT_BYTES = 64 * 1024 * 1024;

/**
 * Answers an error. When the body has not been read to its end (auth failed, too large, busy, too
 * slow, …) the client is still sending it, and browsers report a closed connection as a network
 * error rather than the answer. So the rest is read and thrown away, up to a bound in bytes past
 * which it is cut; the request deadline in app.ts bounds it in time.
 */
export function sendError(req: IncomingMessage, res: ServerResponse, error: HttpError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (!req.complete) {
    req.unpipe();
    let drained = 0;
    req.on('data', (chunk: Buffer) => {
      drained += chunk.length;
      if (drained > DRAIN_LIMIT_BYTES) req.socket.destroy();
    });
    req.resume();
  }
  sendJson(res, error.status, { error: error.message }, error.headers);
}
