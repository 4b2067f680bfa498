import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from './http';

/** How long a timed-out client has to read its 408 before its connection is cut. */
const TIMED_OUT_GRACE_MS = 1000;

/**
 * The time a request has to arrive in full, from its headers on. A client that stalls or trickles
 * mid-body would otherwise hold its connection, its upload slot and a temp file for ever. While
 * the body is being read the signal aborts the read: the temp file is removed and 408 answered.
 * The connection is then cut, after a grace for the client to read the 408: closing a socket the
 * client is still writing to resets it, and a reset can destroy the answer before it is read.
 * A request answered earlier (a refusal whose rest is being drained) is cut at once.
 */
export function requestDeadline(req: IncomingMessage, res: ServerResponse, timeoutMs: number): AbortSignal {
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
