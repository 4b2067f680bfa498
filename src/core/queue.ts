import type { UploadError } from './errors';
import {
  createUploader,
  type Refusal,
  type UploadTask,
  type Uploader,
  type UploaderOptions,
  type UploaderSnapshot,
} from './uploader';

/** Where one attachment of the queue stands. */
export type QueueItemState = 'queued' | 'uploading' | 'paused' | 'uploaded' | 'error';

export interface QueueItem<TResult, TCheckpoint = unknown, TPrepared = unknown> {
  id: string;
  file: File;
  state: QueueItemState;
  /** Percent of the step under way, or null before its first progress report. */
  percent: number | null;
  result?: TResult;
  error?: UploadError;
  /** The item's own machine snapshot, for what the summary leaves out (step, retry, preview, notice). */
  snapshot: UploaderSnapshot<TResult, TCheckpoint, TPrepared>;
}

export interface QueueSnapshot<TResult, TCheckpoint = unknown, TPrepared = unknown> {
  /** In the order chosen; an item that did not change is the very object of the snapshot before. */
  items: ReadonlyArray<QueueItem<TResult, TCheckpoint, TPrepared>>;
  /** Bytes of the files stored or being sent, over the bytes of every file in the list. */
  loaded: number;
  total: number;
  /** Files of the last add that went over `maxFiles`, left out. */
  leftOut: readonly File[];
}

export interface QueueOptions<TResult, TCheckpoint = unknown, TPrepared = unknown> {
  task: UploadTask<TResult, TCheckpoint, TPrepared>;
  /** Items in the list at most; the files of an add past it are left out (`leftOut`). @default 10 */
  maxFiles?: number;
  /** Items sent at once; the others wait their turn. @default 2 */
  concurrency?: number;
  /** Called once per item stored. */
  onUploaded?: (result: TResult, item: QueueItem<TResult, TCheckpoint, TPrepared>) => void;
  /** Called when an item is refused or fails; the other items go on. */
  onError?: (error: UploadError, item: QueueItem<TResult, TCheckpoint, TPrepared>) => void;
  /** The whole list, whenever an item comes, goes or changes state (not on progress). */
  onChange?: (items: ReadonlyArray<QueueItem<TResult, TCheckpoint, TPrepared>>) => void;
}

export interface UploadQueue<TResult, TCheckpoint = unknown, TPrepared = unknown> {
  getSnapshot: () => QueueSnapshot<TResult, TCheckpoint, TPrepared>;
  /**
   * Called after every change: at once after an action, in a microtask after the machines moved
   * (with every other move of the same task), and for progress alone at most every 100 ms.
   * `getSnapshot` is up to date whenever it is read.
   */
  subscribe: (listener: () => void) => () => void;
  /** Adds files (and the drop's own refusals, as items that failed) after those already in the list. */
  add: (files: readonly File[], refused?: readonly Refusal[]) => void;
  /** Stops an item under way and takes it out of the list; a stored one only leaves the list. */
  remove: (id: string) => void;
  /** Stops an item under way; it leaves the list. */
  cancel: (id: string) => void;
  /** Sends a failed item again (from its checkpoint) when a place is free. */
  retry: (id: string) => void;
  pause: (id: string) => void;
  resume: (id: string) => void;
  /** Empties the list (after the message is sent), stopping whatever is under way. */
  clear: () => void;
  setOptions: (options: QueueOptions<TResult, TCheckpoint, TPrepared>) => void;
  /** Stops everything and calls nothing back; subscribing again starts afresh. */
  dispose: () => void;
}

interface Entry<TResult, TCheckpoint, TPrepared> {
  id: string;
  file: File;
  uploader: Uploader<TResult, TCheckpoint, TPrepared>;
  unsubscribe: () => void;
  /** Asked to send (added, retried, resumed) but waiting for a free place. */
  waiting: 'upload' | 'retry' | 'resume' | null;
  /** The item last published: kept while its machine has not moved, so that a list can skip what did not change. */
  item?: QueueItem<TResult, TCheckpoint, TPrepared>;
}

/** The phase an item waits in for each thing it waits to do. */
const WAITS_IN = { upload: 'chosen', retry: 'failed', resume: 'paused' } as const;

/** Progress is told at most this often: 10 redraws a second move a bar smoothly. */
const PROGRESS_MS = 100;

const STATES: Record<UploaderSnapshot<unknown>['phase'], QueueItemState> = {
  idle: 'queued',
  checking: 'queued',
  chosen: 'queued',
  sending: 'uploading',
  paused: 'paused',
  uploaded: 'uploaded',
  failed: 'error',
};

/**
 * Many uploads at once, each its own `createUploader` machine: files are added to a list in the
 * order chosen, at most `concurrency` are sent at a time, and an item's failure stops no other.
 * The queue only schedules: every transition of an item is its machine's.
 */
export function createUploadQueue<TResult, TCheckpoint = unknown, TPrepared = unknown>(
  initial: QueueOptions<TResult, TCheckpoint, TPrepared>,
): UploadQueue<TResult, TCheckpoint, TPrepared> {
  type Item = QueueItem<TResult, TCheckpoint, TPrepared>;
  let options = initial;
  let entries: Array<Entry<TResult, TCheckpoint, TPrepared>> = [];
  let leftOut: readonly File[] = [];
  const listeners = new Set<() => void>();
  let snapshot: QueueSnapshot<TResult, TCheckpoint, TPrepared> = { items: [], loaded: 0, total: 0, leftOut };
  /** Until the next subscribe: files added after the widget went are ignored. */
  let disposed = false;
  /** An item started by schedule() emits at once, and its listener would schedule again. */
  let scheduling = false;
  /** While an add creates its items: each one's first transitions are published once, with the list. */
  let adding = false;

  /** Whether the entry still waits for a place: its machine is (or, for a new file, will be) where the wait began. */
  const waits = (entry: Entry<TResult, TCheckpoint, TPrepared>) => {
    const { phase } = entry.uploader.getSnapshot();
    if (entry.waiting && (phase === WAITS_IN[entry.waiting] || (entry.waiting === 'upload' && phase === 'checking')))
      return true;
    // Refused by its check, or ended some other way: it waits for nothing any more.
    entry.waiting = null;
    return false;
  };

  const itemOf = (entry: Entry<TResult, TCheckpoint, TPrepared>): Item => {
    const current = entry.uploader.getSnapshot();
    const state = waits(entry) ? 'queued' : STATES[current.phase];
    if (entry.item?.snapshot === current && entry.item.state === state) return entry.item;
    const progress = current.phase === 'sending' ? current.progress : null;
    entry.item = {
      id: entry.id,
      file: entry.file,
      state,
      percent: progress && progress.total > 0 ? Math.round((progress.loaded / progress.total) * 100) : null,
      ...(current.phase === 'uploaded' && { result: current.result }),
      ...(current.phase === 'failed' && { error: current.error }),
      snapshot: current,
    };
    return entry.item;
  };

  /** Set when the list or an item's machine moved: the snapshot is built again when next read. */
  let stale = false;
  /** The ids and states last given to onChange, which is not called for progress. */
  let told = '';
  /** A machine's move is told in a microtask, with any others of the same task: one list, not one per move. */
  let telling = false;
  /** `progressing` while a machine reports progress; `urgent` once any other move waits to be told. */
  let progressing = false;
  let urgent = false;
  /** When the listeners were last told, and the telling of progress alone held back until PROGRESS_MS after. */
  let toldAt = -Infinity;
  let heldBack: ReturnType<typeof setTimeout> | undefined;

  const current = () => {
    if (!stale) return snapshot;
    stale = false;
    const items = entries.map(itemOf);
    let loaded = 0;
    let total = 0;
    for (const { file, state, percent, snapshot: item } of items) {
      total += file.size;
      // Once at its thumbnail, an item's file is stored whole: its bytes never count down again.
      const atThumbnail = item.phase === 'sending' && item.step?.name === 'thumbnail';
      if (state === 'uploaded' || atThumbnail) loaded += file.size;
      else if (state === 'uploading' && percent !== null) loaded += (file.size * percent) / 100;
    }
    snapshot = { items, loaded: Math.round(loaded), total, leftOut };
    return snapshot;
  };

  /** Tells onChange (when an item came, went or changed state) and the listeners. */
  const tell = () => {
    clearTimeout(heldBack);
    heldBack = undefined;
    urgent = false;
    const { items } = current();
    const states = items.map(({ id, state }) => `${id} ${state}`).join();
    if (states !== told) {
      told = states;
      options.onChange?.(items);
    }
    toldAt = performance.now();
    for (const listener of [...listeners]) listener();
  };
  /** After an action: told at once. */
  const publish = () => {
    stale = true;
    tell();
  };
  /**
   * After a machine moved: 30 photos whose checks end in the same task make one list and one
   * render, not one each (n² work in one task); progress alone is told at most every PROGRESS_MS,
   * where two uploads' events made a render each. Any other move is told at once.
   */
  const publishSoon = () => {
    stale = true;
    urgent ||= !progressing;
    if (telling) return;
    telling = true;
    queueMicrotask(() => {
      telling = false;
      if (disposed) return;
      const wait = toldAt + PROGRESS_MS - performance.now();
      if (urgent || wait <= 0) tell();
      else heldBack ??= setTimeout(tell, wait);
    });
  };

  /** Starts the waiting items, in the order chosen, while places are free. */
  const schedule = () => {
    if (scheduling) return;
    scheduling = true;
    const limit = Math.max(1, options.concurrency ?? 2);
    let busy = entries.filter(({ uploader }) => uploader.getSnapshot().phase === 'sending').length;
    for (const entry of entries) {
      if (busy >= limit) break;
      const action = entry.waiting;
      if (!action || !waits(entry) || entry.uploader.getSnapshot().phase !== WAITS_IN[action]) continue;
      entry.waiting = null;
      entry.uploader[action]();
      busy += 1;
    }
    scheduling = false;
  };

  const find = (id: string) => entries.find((entry) => entry.id === id);
  const drop = (entry: Entry<TResult, TCheckpoint, TPrepared>) => {
    entry.unsubscribe();
    entry.uploader.dispose();
  };

  const machineOptions = (
    entry: () => Entry<TResult, TCheckpoint, TPrepared>,
  ): UploaderOptions<TResult, TCheckpoint, TPrepared> => ({
    task: {
      ...options.task,
      send: (run) =>
        options.task.send({
          ...run,
          onProgress: (progress) => {
            progressing = true;
            run.onProgress(progress);
            progressing = false;
          },
        }),
    },
    autoUpload: false,
    onUploaded: (result) => options.onUploaded?.(result, itemOf(entry())),
    onError: (error) => options.onError?.(error, itemOf(entry())),
  });

  const addEntry = ({ file, error }: { file: File; error?: UploadError }) => {
    const uploader = createUploader(machineOptions(() => entry));
    const entry: Entry<TResult, TCheckpoint, TPrepared> = {
      id: uploader.id,
      file,
      uploader,
      unsubscribe: () => undefined,
      waiting: error ? null : 'upload',
    };
    entry.unsubscribe = entry.uploader.subscribe(() => {
      if (adding) return;
      schedule();
      publishSoon();
    });
    entries.push(entry);
    if (error) uploader.choose([], [{ file, error }]);
    else uploader.choose([file]);
  };

  /**
   * Retry (of a failed item) and Resume (of a paused one) wait their turn like a new item; Pause
   * (of one being sent) frees a place at once. Anything else is not for the item's phase, and ignored.
   */
  const act = (id: string, action: 'retry' | 'resume' | 'pause') => {
    const entry = find(id);
    if (!entry || entry.waiting) return;
    const current = entry.uploader.getSnapshot();
    if (action === 'pause') entry.uploader.pause();
    else if (current.phase === WAITS_IN[action] && !(current.phase === 'failed' && current.refused)) {
      entry.waiting = action;
    } else return;
    schedule();
    publish();
  };
  /** An item taken out before it was stored is given up: the task forgets what it kept to resume it. */
  const discard = (entry: Entry<TResult, TCheckpoint, TPrepared>) => {
    const current = entry.uploader.getSnapshot();
    if (current.phase !== 'uploaded' && !(current.phase === 'failed' && current.refused))
      options.task.discard?.(entry.file);
  };
  const remove = (id: string) => {
    const entry = find(id);
    if (!entry) return;
    discard(entry);
    drop(entry);
    entries = entries.filter((other) => other !== entry);
    schedule();
    publish();
  };

  return {
    getSnapshot: current,
    subscribe: (listener) => {
      disposed = false;
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    add: (files, refused = []) => {
      if (disposed) return;
      const all: Array<{ file: File; error?: UploadError }> = [...files.map((file) => ({ file })), ...refused];
      const room = Math.max(0, (options.maxFiles ?? 10) - entries.length);
      leftOut = all.slice(room).map(({ file }) => file);
      // 30 photos in one drop: one publish for the list, not one per item's every step (n² work in one task).
      adding = true;
      try {
        all.slice(0, room).forEach(addEntry);
      } finally {
        adding = false;
      }
      schedule();
      publish();
    },
    remove,
    // An item stopped under way leaves the list, as Uppy's does: what was not stored is not an attachment.
    cancel: remove,
    retry: (id) => act(id, 'retry'),
    resume: (id) => act(id, 'resume'),
    pause: (id) => act(id, 'pause'),
    clear: () => {
      entries.forEach(discard);
      entries.forEach(drop);
      entries = [];
      leftOut = [];
      publish();
    },
    setOptions: (next) => {
      options = next;
      for (const entry of entries) entry.uploader.setOptions(machineOptions(() => entry));
      schedule();
    },
    dispose: () => {
      disposed = true;
      listeners.clear();
      entries.forEach(drop);
      entries = [];
      leftOut = [];
      snapshot = { items: [], loaded: 0, total: 0, leftOut };
      stale = false;
      told = '';
      clearTimeout(heldBack);
      heldBack = undefined;
    },
  };
}
