import { toUploadError, type UploadError } from './errors';
import type { RetryInfo } from './retry';
import type { UploadProgress } from './send';

/** What an upload is sending now: the media in one request, one of its parts, or a thumbnail. */
export type UploadStep =
  | { name: 'media' }
  | {
      name: 'part';
      index: number;
      count: number;
      /** On the first part sent of an upload picked up from the browser's storage after a reload: the percent of the file stored already. */
      resumedAt?: number;
      /** On part 0 sent again because the server no longer knew the saved upload: it starts over, from the beginning. */
      restarted?: true;
    }
  | { name: 'thumbnail' };

/** What a task is given for one run: the file, what its check prepared, where a pause left it, and how to report. */
export interface UploadRun<TCheckpoint, TPrepared> {
  file: File;
  /** What the task's check prepared; undefined for a task without a check. */
  prepared: TPrepared | undefined;
  /** What the last run reported with `onCheckpoint`, to go on from there; undefined on the first run. */
  checkpoint: TCheckpoint | undefined;
  /** Aborted by pause, cancel, reset and dispose. */
  signal: AbortSignal;
  onProgress: (progress: UploadProgress) => void;
  onRetry: (info: RetryInfo) => void;
  onStep: (step: UploadStep) => void;
  /** Keeps what a later run (resume, retry) can start from: the parts sent, a stored media. */
  onCheckpoint: (checkpoint: TCheckpoint) => void;
}

/** What the uploader sends, and how it checks a file first. It knows the protocol; the uploader knows none. */
export interface UploadTask<TResult, TCheckpoint = unknown, TPrepared = void> {
  /**
   * Checks a chosen file; rejects (with an UploadError) to refuse it. It may start work for the file
   * (a thumbnail, a video frame) that `signal` stops once the file is no longer the chosen one, and
   * show a picture of it with `preview`.
   */
  check?: (file: File, context: { signal: AbortSignal; preview: (blob: Blob) => void }) => Promise<TPrepared>;
  send: (run: UploadRun<TCheckpoint, TPrepared>) => Promise<TResult>;
  /**
   * Called when the person gives up a file not yet stored (Cancel, or its item removed): what the
   * task kept to resume it after a reload is dropped. Not called on a pause, a reset or a dispose.
   */
  discard?: (file: File) => void;
}

export interface UploaderOptions<TResult, TCheckpoint = unknown, TPrepared = void> {
  task: UploadTask<TResult, TCheckpoint, TPrepared>;
  /** Send as soon as a file passes its check, or wait for `upload()`. @default true */
  autoUpload?: boolean;
  /** What the work belongs to (a thumbnail's media): when `setOptions` changes it, everything starts afresh. */
  key?: unknown;
  /** Called once per upload that ends stored. */
  onUploaded?: (result: TResult) => void;
  /** Called when a file is refused or an upload fails; never for a cancel, a pause or a reset. */
  onError?: (error: UploadError) => void;
}

/**
 * A note for the person that is not an error: a cancel, a drop refused because another upload is
 * under way, files of a drop left out, an upload stopped because its `key` changed.
 */
export type UploaderNotice =
  { kind: 'cancelled' } | { kind: 'busy' } | { kind: 'partial'; refused: Refusal } | { kind: 'interrupted' };

interface WithFile<TPrepared> {
  file: File;
  /** A picture of the file from the task's check, or null. */
  preview: Blob | null;
  /** What the task's check prepared for the file (a thumbnail being made), once it has. */
  prepared: TPrepared | undefined;
}

/** One file's upload, phase by phase. */
export type UploaderPhase<TResult, TCheckpoint, TPrepared = unknown> =
  | { phase: 'idle' }
  | { phase: 'checking'; file: File }
  | ({ phase: 'chosen' } & WithFile<TPrepared>)
  | ({
      phase: 'sending';
      /** Bytes sent, or null before the first progress report (and after a retry starts). */
      progress: UploadProgress | null;
      /** The automatic retry under way, if any. */
      retry: RetryInfo | null;
      step: UploadStep | null;
      /** What the run has stored so far (see `UploadRun.onCheckpoint`). */
      checkpoint: TCheckpoint | undefined;
    } & WithFile<TPrepared>)
  | ({ phase: 'paused'; step: UploadStep | null; checkpoint: TCheckpoint | undefined } & WithFile<TPrepared>)
  | ({ phase: 'uploaded'; result: TResult } & WithFile<TPrepared>)
  | ({
      phase: 'failed';
      error: UploadError;
      /** Refused before anything was sent (its check, or the drop's own): there is nothing to retry. */
      refused: boolean;
      /** The step that failed; `thumbnail` means what came before it is stored (in `checkpoint`). */
      step: UploadStep | null;
      checkpoint: TCheckpoint | undefined;
    } & WithFile<TPrepared>);

export type UploaderSnapshot<TResult, TCheckpoint = unknown, TPrepared = unknown> = UploaderPhase<
  TResult,
  TCheckpoint,
  TPrepared
> & {
  id: string;
  notice: UploaderNotice | null;
};

/** A file the drop itself refused (a type not accepted, too large), with why. */
export interface Refusal {
  file: File;
  error: UploadError;
}

export interface Uploader<TResult, TCheckpoint = unknown, TPrepared = void> {
  readonly id: string;
  getSnapshot: () => UploaderSnapshot<TResult, TCheckpoint, TPrepared>;
  /** Calls `listener` after every change; returns the unsubscribe. */
  subscribe: (listener: () => void) => () => void;
  /** Takes the first file, checks it, then sends it (or waits for `upload()`); refused while one is sent or paused. */
  choose: (files: readonly File[], refused?: readonly Refusal[]) => void;
  /** Sends the chosen file (with `autoUpload: false`). */
  upload: () => void;
  /** Sends again after a failure, from the last checkpoint. */
  retry: () => void;
  /** Stops the upload under way; `resume()` goes on from its last checkpoint. */
  pause: () => void;
  resume: () => void;
  /** Stops everything and forgets the file, with a `cancelled` notice. */
  cancel: () => void;
  /** Stops everything and forgets the file, silently. */
  reset: () => void;
  /** New options; a changed `key` resets (with an `interrupted` notice when an upload was under way). */
  setOptions: (options: UploaderOptions<TResult, TCheckpoint, TPrepared>) => void;
  /**
   * Stops everything and calls nothing back for it; files chosen afterwards are ignored until the
   * next `subscribe` (React's StrictMode mounts twice), which starts afresh.
   */
  dispose: () => void;
}

/** One chosen file and what is kept of it across pauses and retries. */
interface Work<TCheckpoint, TPrepared> {
  file: File;
  stop: AbortController;
  preview: Blob | null;
  prepared?: TPrepared;
  checkpoint?: TCheckpoint;
}

/**
 * The state machine of one file's upload, without React: choose, check, send, pause, resume, retry,
 * cancel. Transitions are synchronous; the late end of anything the person has moved on from (a
 * check of a file since replaced, a request since cancelled) is recognised and dropped here.
 */
export function createUploader<TResult, TCheckpoint = unknown, TPrepared = void>(
  initial: UploaderOptions<TResult, TCheckpoint, TPrepared>,
): Uploader<TResult, TCheckpoint, TPrepared> {
  type Snapshot = UploaderSnapshot<TResult, TCheckpoint, TPrepared>;
  let options = initial;
  const id = Math.random().toString(36).slice(2, 10);
  const listeners = new Set<() => void>();
  let snapshot: Snapshot = { id, phase: 'idle', notice: null };
  let work: Work<TCheckpoint, TPrepared> | null = null;
  let running: AbortController | null = null;
  /** Resume was pressed before the paused run ended. */
  let resumeWhenSettled = false;
  /** Until the next subscribe: a drop read after the widget went must start nothing. */
  let disposed = false;

  const emit = (next: UploaderPhase<TResult, TCheckpoint, TPrepared> & { notice?: UploaderNotice | null }) => {
    snapshot = { notice: null, ...next, id };
    for (const listener of [...listeners]) listener();
  };
  /** Changes fields of the phase under way, keeping its notice. */
  const update = (fields: Partial<Extract<Snapshot, { phase: 'sending' }>>) => {
    if (snapshot.phase === 'sending') emit({ ...snapshot, ...fields });
  };
  const withFile = (current: Work<TCheckpoint, TPrepared>): WithFile<TPrepared> => ({
    file: current.file,
    preview: current.preview,
    prepared: current.prepared,
  });

  const stopAll = () => {
    work?.stop.abort();
    running?.abort();
    work = null;
    running = null;
    resumeWhenSettled = false;
  };
  const forget = (notice: UploaderNotice | null) => {
    stopAll();
    emit({ phase: 'idle', notice });
  };

  const refuse = (file: File, error: UploadError) => {
    emit({
      phase: 'failed',
      file,
      preview: null,
      prepared: undefined,
      error,
      refused: true,
      step: null,
      checkpoint: undefined,
    });
    options.onError?.(error);
  };

  const start = (current: Work<TCheckpoint, TPrepared>, notice: UploaderNotice | null = null) => {
    running?.abort();
    const controller = new AbortController();
    running = controller;
    const live = () => running === controller;
    const { checkpoint } = current;
    emit({ phase: 'sending', ...withFile(current), progress: null, retry: null, step: null, checkpoint, notice });
    const run: UploadRun<TCheckpoint, TPrepared> = {
      file: current.file,
      prepared: current.prepared,
      checkpoint,
      signal: controller.signal,
      onProgress: (progress) => live() && update({ progress, retry: null }),
      onRetry: (retry) => live() && update({ progress: null, retry }),
      onStep: (step) => live() && update({ step }),
      // Also after a pause, until the run settles: a part that finished as it landed is not sent again.
      onCheckpoint: (next) => {
        if (!live()) return;
        current.checkpoint = next;
        update({ checkpoint: next });
      },
    };
    const settle = (outcome: { result: TResult } | { error: unknown }) => {
      if (!live()) return;
      running = null;
      const resume = resumeWhenSettled;
      resumeWhenSettled = false;
      const step = snapshot.phase === 'sending' || snapshot.phase === 'paused' ? snapshot.step : null;
      if ('result' in outcome) {
        // A pause that landed as the upload ended has nothing left to pause: it is uploaded.
        current.checkpoint = undefined;
        emit({ phase: 'uploaded', ...withFile(current), result: outcome.result });
        options.onUploaded?.(outcome.result);
        return;
      }
      const error = toUploadError(outcome.error, controller.signal);
      if (error.kind !== 'aborted') {
        emit({ phase: 'failed', ...withFile(current), error, refused: false, step, checkpoint: current.checkpoint });
        options.onError?.(error);
      } else if (snapshot.phase === 'paused') {
        if (resume) start(current);
        else emit({ ...snapshot, checkpoint: current.checkpoint });
      } else {
        forget(null);
      }
    };
    // A task that throws instead of rejecting fails the run like any other error.
    attempt(() => options.task.send(run)).then(
      (result) => settle({ result }),
      (error: unknown) => settle({ error }),
    );
  };

  const accept = (current: Work<TCheckpoint, TPrepared>, refused: Refusal | undefined) => {
    const notice: UploaderNotice | null = refused ? { kind: 'partial', refused } : null;
    if (options.autoUpload === false) emit({ phase: 'chosen', ...withFile(current), notice });
    else start(current, notice);
  };

  return {
    id,
    getSnapshot: () => snapshot,
    subscribe: (listener) => {
      disposed = false;
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    choose: (files, refused = []) => {
      if (disposed) return;
      // A paused upload is busy too: another file would throw away the parts already sent.
      if (snapshot.phase === 'sending' || snapshot.phase === 'paused') {
        emit({ ...snapshot, notice: { kind: 'busy' } });
        return;
      }
      const [file] = files;
      if (!file) {
        if (refused[0]) {
          stopAll();
          refuse(refused[0].file, refused[0].error);
        }
        return;
      }
      stopAll();
      const current: Work<TCheckpoint, TPrepared> = { file, stop: new AbortController(), preview: null };
      work = current;
      emit({ phase: 'checking', file });
      const { check } = options.task;
      if (!check) {
        accept(current, refused[0]);
        return;
      }
      const preview = (blob: Blob) => {
        if (work !== current) return;
        current.preview = blob;
        if (snapshot.phase !== 'idle' && snapshot.phase !== 'checking') emit({ ...snapshot, preview: blob });
      };
      attempt(() => check(file, { signal: current.stop.signal, preview })).then(
        (prepared) => {
          if (work !== current) return;
          current.prepared = prepared;
          accept(current, refused[0]);
        },
        (error: unknown) => {
          if (work !== current) return;
          stopAll();
          refuse(file, toUploadError(error));
        },
      );
    },
    upload: () => {
      if (snapshot.phase === 'chosen' && work) start(work);
    },
    retry: () => {
      if (snapshot.phase === 'failed' && !snapshot.refused && work) start(work);
    },
    pause: () => {
      if (snapshot.phase !== 'sending' || !work) return;
      emit({ phase: 'paused', ...withFile(work), step: snapshot.step, checkpoint: work.checkpoint });
      // Still live: the run's end decides between paused (aborted) and uploaded (it had finished).
      running?.abort();
    },
    resume: () => {
      if (snapshot.phase !== 'paused' || !work) return;
      // The paused run has not ended yet: go on once it has, from the checkpoint it reports last.
      if (running) resumeWhenSettled = true;
      else start(work);
    },
    // A stored file has nothing kept to discard: the task finds nothing.
    cancel: () => {
      if (work) options.task.discard?.(work.file);
      forget({ kind: 'cancelled' });
    },
    reset: () => forget(null),
    setOptions: (next) => {
      const keyChanged = !Object.is(next.key, options.key);
      options = next;
      if (keyChanged) forget(snapshot.phase === 'sending' ? { kind: 'interrupted' } : null);
    },
    dispose: () => {
      disposed = true;
      listeners.clear();
      stopAll();
      snapshot = { id, phase: 'idle', notice: null };
    },
  };
}

/** The promise `task` returns, or a rejected one when it throws before returning one. */
function attempt<T>(task: () => Promise<T>): Promise<T> {
  try {
    return task();
  } catch (error) {
    return Promise.reject(error);
  }
}
