import { abortedError } from '../../src/core/errors';
import type { UploadRun } from '../../src/core/uploader';

/** A send the test finishes by hand: every run is recorded with its signal, and settled from outside. */
export function fakeSend<TResult = string, TCheckpoint = unknown>() {
  const runs: Array<{
    run: UploadRun<TCheckpoint, unknown>;
    resolve: (result: TResult) => void;
    reject: (error: unknown) => void;
  }> = [];
  const send = (run: UploadRun<TCheckpoint, unknown>) =>
    new Promise<TResult>((resolve, reject) => {
      runs.push({ run, resolve, reject });
      // As the real sender does: an abort ends the run with an aborted error.
      run.signal.addEventListener('abort', () => reject(abortedError()), { once: true });
    });
  return { send, runs };
}
