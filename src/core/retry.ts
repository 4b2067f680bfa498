import { abortedError, type UploadError } from './errors';

export interface RetryPolicy {
  /** Tries in all, the first included (default 3). */
  attempts: number;
  /** Ceiling of the wait before the first retry, which waits between half of it and all of it (jitter); it doubles for each further one (default 1 s). */
  baseDelayMs: number;
  /** Longest wait; a server asking for longer (`Retry-After`) gets the error shown instead (default 30 s). */
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 3, baseDelayMs: 1000, maxDelayMs: 30_000 };

export interface RetryInfo {
  /** The try about to be made: 2 for the first retry. */
  attempt: number;
  attempts: number;
  delayMs: number;
  error: UploadError;
  /** The browser is offline: the request waits for the connection (no try is spent), then goes again. */
  offline?: boolean;
}

/** How long to wait before trying again after `attempt` failed, or `undefined` when it must not be retried. */
export function retryDelay(policy: RetryPolicy, attempt: number, error: UploadError): number | undefined {
  if (!error.retryable || attempt >= policy.attempts) return undefined;
  if (error.retryAfterMs !== undefined) return error.retryAfterMs <= policy.maxDelayMs ? error.retryAfterMs : undefined;
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  // Half fixed, half random: widgets that failed together do not all come back at once.
  return ceiling / 2 + (Math.random() * ceiling) / 2;
}

/** `Retry-After` as milliseconds from now: delay-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const aborted = () => {
      clearTimeout(timer);
      reject(abortedError(signal?.reason));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', aborted);
      resolve();
    }, ms);
    if (signal?.aborted) aborted();
    else signal?.addEventListener('abort', aborted, { once: true });
  });
}

/** Whether the browser says it has no network (`navigator.onLine` false); never in Node or SSR. */
export function isOffline(): boolean {
  return globalThis.navigator?.onLine === false;
}

/** Resolves when the browser is back online; rejects with the `aborted` UploadError when the signal aborts. */
export function untilOnline(signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const stop = () => {
      globalThis.removeEventListener('online', stop);
      signal?.removeEventListener('abort', stop);
      if (signal?.aborted) reject(abortedError(signal.reason));
      else resolve();
    };
    globalThis.addEventListener('online', stop);
    signal?.addEventListener('abort', stop);
    if (signal?.aborted || !isOffline()) stop();
  });
}
