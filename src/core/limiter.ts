import { abortedError } from './errors';

/** Runs async jobs at most `concurrency` at a time, the others waiting their turn in the order given. */
export interface Limiter {
  /**
   * Runs `job` once a place is free. A job whose signal aborts while it waits leaves the line at once
   * (rejecting `aborted`) and never runs; once running, stopping it is the job's own business.
   */
  run<T>(job: () => Promise<T>, signal?: AbortSignal): Promise<T>;
}

export function createLimiter(concurrency: number): Limiter {
  const line: Array<() => void> = [];
  let running = 0;
  const next = () => {
    if (running < concurrency) line.shift()?.();
  };
  return {
    run: <T>(job: () => Promise<T>, signal?: AbortSignal) =>
      new Promise<T>((resolve, reject) => {
        if (signal?.aborted) return reject(abortedError(signal.reason));
        const start = () => {
          signal?.removeEventListener('abort', leave);
          running += 1;
          // A job that throws instead of rejecting frees its place all the same.
          new Promise<T>((settle) => settle(job()))
            .finally(() => {
              running -= 1;
              next();
            })
            .then(resolve, reject);
        };
        const leave = () => {
          line.splice(line.indexOf(start), 1);
          reject(abortedError(signal?.reason));
        };
        signal?.addEventListener('abort', leave, { once: true });
        line.push(start);
        next();
      }),
  };
}

/**
 * Every thumbnail of the page is made through this line, two at a time: 30 photos dropped at once
 * decode two photos at a time, not thirty, so that memory stays bounded and the page stays free.
 * image.ts keeps as many image workers waiting (`KEPT_WORKERS`).
 */
export const thumbnailLine: Limiter = /* @__PURE__ */ createLimiter(2);

/** The page's attachments waiting their turn are hashed through this line, one at a time, in the order added. */
export const hashLine: Limiter = /* @__PURE__ */ createLimiter(1);
