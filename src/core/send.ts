import { abortedError, detailedError, errorForStatus, type UploadError } from './errors';
import { parseRetryAfter } from './retry';

export interface UploadProgress {
  /** Bytes of the request body sent so far. */
  loaded: number;
  /** Bytes of the whole request body (multipart framing included). */
  total: number;
}

export interface SendFormOptions {
  url: string;
  body: FormData;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  onProgress?: (progress: UploadProgress) => void;
  /** Ends the request with a network error when nothing moves for this long: no byte sent, no answer. */
  idleTimeoutMs?: number;
}

const DEFAULT_IDLE_TIMEOUT_MS = 60_000;

/**
 * Posts one multipart form with XMLHttpRequest (fetch cannot report upload progress)
 * and resolves with the answer's JSON object; every failure rejects with an UploadError.
 */
export function sendForm(options: SendFormOptions): Promise<Record<string, unknown>> {
  const { url, body, headers = {}, signal, onProgress, idleTimeoutMs = DEFAULT_IDLE_TIMEOUT_MS } = options;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortedError(signal.reason));
      return;
    }
    const xhr = new XMLHttpRequest();
    const onAbortSignal = () => xhr.abort();
    let idle: ReturnType<typeof setTimeout> | undefined;
    const settle = (outcome: () => void) => {
      clearTimeout(idle);
      globalThis.removeEventListener?.('offline', onOffline);
      signal?.removeEventListener('abort', onAbortSignal);
      outcome();
    };
    const fail = (error: UploadError) => {
      xhr.onabort = null;
      xhr.abort();
      settle(() => reject(error));
    };
    const unreachable = () => detailedError('network', { reason: 'unreachable' });
    // A request on the wire when the connection drops may hang until the idle timeout: it fails now.
    const onOffline = () => fail(unreachable());
    // An idle timer, not a total one: a large upload on a slow link may take long, but never stalls long.
    const stillMoving = () => {
      clearTimeout(idle);
      idle = setTimeout(
        () => fail(detailedError('network', { reason: 'stalled', seconds: Math.round(idleTimeoutMs / 1000) })),
        idleTimeoutMs,
      );
    };

    xhr.open('POST', url);
    // The browser sets Content-Type with the multipart boundary itself.
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (event) => {
      stillMoving();
      if (onProgress && event.lengthComputable) onProgress({ loaded: event.loaded, total: event.total });
    };
    xhr.onprogress = stillMoving;
    xhr.onload = () =>
      settle(() => {
        try {
          resolve(readAnswer(xhr.status, xhr.responseText, xhr.getResponseHeader('Retry-After')));
        } catch (error) {
          reject(error);
        }
      });
    xhr.onerror = () => settle(() => reject(unreachable()));
    globalThis.addEventListener?.('offline', onOffline);
    xhr.onabort = () => settle(() => reject(abortedError(signal?.reason)));
    signal?.addEventListener('abort', onAbortSignal, { once: true });
    xhr.send(body);
    stillMoving();
  });
}

/** Status first, then body: a 2xx must carry a JSON object; an error body may explain itself. */
function readAnswer(status: number, text: string, retryAfter?: string | null): Record<string, unknown> {
  const json = parseJsonObject(text);
  if (status < 200 || status >= 300) throw errorForStatus(status, serverDetail(json), parseRetryAfter(retryAfter));
  if (!json) {
    throw detailedError('bad-response', { reason: 'not-a-result' }, { status });
  }
  return json;
}

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** A short reason from the server's JSON error, never its HTML, never a wall of text. */
function serverDetail(json: Record<string, unknown> | undefined): string | undefined {
  const detail = json?.error ?? json?.message ?? json?.detail;
  if (typeof detail !== 'string' || !detail.trim()) return undefined;
  const trimmed = detail.trim().replace(/[.\s]+$/, '');
  return trimmed.length > 160 ? `${trimmed.slice(0, 157)}…` : trimmed;
}
