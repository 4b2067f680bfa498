// @vitest-environment node
import { detailedError, type UploadError } from '../../src/core/errors';
import { createUploadQueue, type QueueOptions } from '../../src/core/queue';
import { fakeSend } from '../support/fakeSend';

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));
const files = (count: number, bytes = 100) =>
  Array.from({ length: count }, (_, i) => new File([new Uint8Array(bytes)], `photo-${i + 1}.jpg`));

function queueOf(options: Partial<QueueOptions<string>> = {}, discard?: (file: File) => void) {
  const { send, runs } = fakeSend();
  const onUploaded = vi.fn<(result: string) => void>();
  const onError = vi.fn<(error: UploadError) => void>();
  const queue = createUploadQueue<string>({ task: { send, discard }, onUploaded, onError, ...options });
  queue.subscribe(() => undefined);
  const states = () => queue.getSnapshot().items.map((item) => item.state);
  /** The runs not yet settled whose signal is live: what is on the wire. */
  const inFlight = () => runs.filter((entry) => !entry.run.signal.aborted && !settled.has(entry));
  const settled = new Set<(typeof runs)[number]>();
  const finish = async (index: number, outcome: 'ok' | UploadError = 'ok') => {
    const entry = runs[index]!;
    settled.add(entry);
    if (outcome === 'ok') entry.resolve(`stored ${entry.run.file.name}`);
    else entry.reject(outcome);
    await flush();
  };
  return { queue, runs, onUploaded, onError, states, inFlight, finish };
}

describe('createUploadQueue: many uploads, each its own machine', () => {
  it('sends at most `concurrency` at once, in the order chosen, until every item is stored', async () => {
    const { queue, runs, onUploaded, states, inFlight, finish } = queueOf();
    queue.add(files(5));
    expect(states()).toEqual(['uploading', 'uploading', 'queued', 'queued', 'queued']);
    expect(inFlight()).toHaveLength(2);
    for (let i = 0; i < 5; i += 1) {
      await finish(i);
      expect(inFlight().length).toBeLessThanOrEqual(2);
    }
    expect(runs.map(({ run }) => run.file.name)).toEqual([1, 2, 3, 4, 5].map((n) => `photo-${n}.jpg`));
    expect(states()).toEqual(Array(5).fill('uploaded'));
    expect(onUploaded.mock.calls.map(([result]) => result)).toEqual(
      [1, 2, 3, 4, 5].map((n) => `stored photo-${n}.jpg`),
    );
    expect(queue.getSnapshot()).toMatchObject({ loaded: 500, total: 500 });
  });

  it('a failure fails that item alone; the others go on, and Retry waits for a free place', async () => {
    const { queue, runs, onError, states, finish } = queueOf({ concurrency: 1 });
    queue.add(files(3));
    await finish(0, detailedError('server', {}, { status: 500 }));
    expect(states()).toEqual(['error', 'uploading', 'queued']);
    expect(onError).toHaveBeenCalledTimes(1);
    const [failed] = queue.getSnapshot().items;
    queue.retry(failed!.id);
    expect(states()).toEqual(['queued', 'uploading', 'queued']);
    await finish(1);
    // The retried item was asked for before the third one got its turn.
    expect(runs[2]!.run.file.name).toBe('photo-1.jpg');
    await finish(2);
    await finish(3);
    expect(states()).toEqual(['uploaded', 'uploaded', 'uploaded']);
  });

  it('takes at most maxFiles and says which files were left out', () => {
    const { queue } = queueOf({ maxFiles: 10 });
    queue.add(files(12));
    const { items, leftOut } = queue.getSnapshot();
    expect(items).toHaveLength(10);
    expect(leftOut.map((file) => file.name)).toEqual(['photo-11.jpg', 'photo-12.jpg']);
  });

  it('Cancel and Remove stop an item under way, take it out of the list, and free its place', async () => {
    const { queue, runs, states, inFlight } = queueOf();
    queue.add(files(3));
    const [first, second] = queue.getSnapshot().items;
    queue.cancel(first!.id);
    expect(runs[0]!.run.signal.aborted).toBe(true);
    queue.remove(second!.id);
    expect(runs[1]!.run.signal.aborted).toBe(true);
    expect(states()).toEqual(['uploading']);
    expect(inFlight().map(({ run }) => run.file.name)).toEqual(['photo-3.jpg']);
  });

  it('has the task discard what it kept of an item given up (cancelled, removed unsent, cleared), never of a stored one', async () => {
    const discard = vi.fn<(file: File) => void>();
    const { queue, finish } = queueOf({}, discard);
    const [stored, paused, failed, cleared] = files(4);
    queue.add([stored!, paused!]);
    await finish(0);
    const [storedItem, pausedItem] = queue.getSnapshot().items;
    queue.pause(pausedItem!.id);
    expect(discard).not.toHaveBeenCalled();
    queue.remove(storedItem!.id);
    queue.cancel(pausedItem!.id);
    expect(discard.mock.calls).toEqual([[paused]]);
    queue.add([failed!, cleared!]);
    await finish(2, detailedError('server', {}, { status: 500 }));
    queue.remove(queue.getSnapshot().items[0]!.id);
    queue.clear();
    expect(discard.mock.calls).toEqual([[paused], [failed], [cleared]]);
    queue.add(files(1));
    queue.dispose();
    expect(discard).toHaveBeenCalledTimes(3);
  });

  it('Pause frees a place at once; Resume waits its turn', async () => {
    const { queue, runs, states, finish } = queueOf({ concurrency: 1 });
    queue.add(files(2));
    const [first] = queue.getSnapshot().items;
    queue.pause(first!.id);
    await flush();
    expect(states()).toEqual(['paused', 'uploading']);
    queue.resume(first!.id);
    expect(states()).toEqual(['queued', 'uploading']);
    await finish(1);
    expect(runs.map(({ run }) => run.file.name)).toEqual(['photo-1.jpg', 'photo-2.jpg', 'photo-1.jpg']);
    expect(states()).toEqual(['uploading', 'uploaded']);
  });

  it('clear() empties the list and stops what is under way; a stored item only leaves it', async () => {
    const { queue, runs, onUploaded, finish } = queueOf();
    queue.add(files(2));
    await finish(0);
    queue.clear();
    expect(queue.getSnapshot().items).toEqual([]);
    expect(runs[1]!.run.signal.aborted).toBe(true);
    runs[1]!.resolve('late');
    await flush();
    expect(onUploaded).toHaveBeenCalledTimes(1);
  });

  it('adds files while others upload, after them', async () => {
    const { queue, states, finish } = queueOf();
    queue.add(files(2));
    queue.add([new File(['x'], 'later.pdf')]);
    expect(queue.getSnapshot().items.map((item) => item.file.name)).toEqual([
      'photo-1.jpg',
      'photo-2.jpg',
      'later.pdf',
    ]);
    await finish(0);
    expect(states()).toEqual(['uploaded', 'uploading', 'uploading']);
  });

  it('shows a drop’s refused files as failed items that send nothing', () => {
    const { queue, runs } = queueOf();
    const big = new File([new Uint8Array(10)], 'big.mov');
    const error = detailedError('too-large', { reason: 'file-too-large', fileName: 'big.mov' });
    queue.add(files(1), [{ file: big, error }]);
    expect(queue.getSnapshot().items.map(({ file, state }) => [file.name, state])).toEqual([
      ['photo-1.jpg', 'uploading'],
      ['big.mov', 'error'],
    ]);
    expect(runs).toHaveLength(1);
  });

  it('counts the bytes of the whole list: stored ones whole, the one under way by its progress', () => {
    const { queue, runs } = queueOf();
    queue.add(files(2, 1000));
    runs[0]!.run.onProgress({ loaded: 50, total: 100 });
    expect(queue.getSnapshot()).toMatchObject({ loaded: 500, total: 2000 });
  });

  it('an item its check refuses shows its error, and the list is not left uploading', async () => {
    const { send } = fakeSend();
    const onError = vi.fn();
    const check = async (file: File) => {
      if (file.size === 0) throw detailedError('invalid-file', { reason: 'empty', fileName: file.name });
    };
    const queue = createUploadQueue<string>({ task: { check, send }, onError });
    queue.add([new File([], 'empty.txt')]);
    await flush();
    expect(queue.getSnapshot().items).toMatchObject([{ state: 'error', error: { details: { reason: 'empty' } } }]);
    expect(onError).toHaveBeenCalledTimes(1);
  });

  it('a double Resume or a Retry of an item being sent starts nothing more, and Pause of a waiting item does nothing', async () => {
    const { queue, states, inFlight } = queueOf({ concurrency: 1 });
    queue.add(files(2));
    const [first, second] = queue.getSnapshot().items;
    queue.retry(first!.id);
    queue.resume(first!.id);
    queue.pause(second!.id);
    expect(states()).toEqual(['uploading', 'queued']);
    queue.pause(first!.id);
    await flush();
    queue.resume(first!.id);
    queue.resume(first!.id);
    expect(inFlight()).toHaveLength(1);
    expect(states()).toEqual(['queued', 'uploading']);
  });

  it('raising concurrency while items wait starts just enough of them', () => {
    const { queue, runs } = queueOf({ concurrency: 1 });
    queue.add(files(5));
    const later = fakeSend();
    queue.setOptions({ task: { send: later.send }, concurrency: 3 });
    expect(runs.length + later.runs.length).toBe(3);
    expect(queue.getSnapshot().items.filter((item) => item.state === 'uploading')).toHaveLength(3);
  });

  it('counts a file whole once its thumbnail is under way: the list’s bytes never go back', () => {
    const { queue, runs } = queueOf();
    queue.add(files(1, 1000));
    runs[0]!.run.onProgress({ loaded: 100, total: 100 });
    runs[0]!.run.onStep({ name: 'thumbnail' });
    runs[0]!.run.onProgress({ loaded: 0, total: 0 });
    expect(queue.getSnapshot()).toMatchObject({ loaded: 1000, total: 1000 });
  });

  it('keeps the object of every item that did not change, so that a list redraws only the one that did', async () => {
    const { queue, runs, finish } = queueOf({ concurrency: 1 });
    queue.add(files(3));
    const before = queue.getSnapshot().items;
    runs[0]!.run.onProgress({ loaded: 50, total: 100 });
    const during = queue.getSnapshot().items;
    expect(during[0]).not.toBe(before[0]);
    expect(during[0]!.percent).toBe(50);
    expect(during.slice(1)).toEqual(before.slice(1));
    during.slice(1).forEach((item, i) => expect(item).toBe(before[i + 1]));
    await finish(0);
    const after = queue.getSnapshot().items;
    expect(after.map((item) => item.state)).toEqual(['uploaded', 'uploading', 'queued']);
    expect(after[2]).toBe(before[2]);
  });

  it('tells the moves of one task once: 30 files whose checks end together make one list, not 30', async () => {
    const { send } = fakeSend();
    const onChange = vi.fn();
    const queue = createUploadQueue<string>({ task: { check: async () => undefined, send }, onChange, maxFiles: 30 });
    const listener = vi.fn();
    queue.subscribe(listener);
    queue.add(files(30));
    expect(listener).toHaveBeenCalledTimes(1);
    await flush();
    // The add, then every check and the first two sends, told together.
    expect(listener).toHaveBeenCalledTimes(2);
    expect(onChange).toHaveBeenCalledTimes(2);
    expect(onChange.mock.lastCall![0].map((item: { state: string }) => item.state)).toEqual([
      'uploading',
      'uploading',
      ...Array(28).fill('queued'),
    ]);
  });

  it('tells nothing once disposed, even a move of the same task', async () => {
    const { send } = fakeSend();
    const onChange = vi.fn();
    const queue = createUploadQueue<string>({ task: { check: async () => undefined, send }, onChange });
    queue.subscribe(() => undefined);
    queue.add(files(2));
    onChange.mockClear();
    queue.dispose();
    await flush();
    expect(onChange).not.toHaveBeenCalled();
  });

  it('tells progress at most every 100 ms, the last of it too, and a state at once', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    try {
      const { queue, runs } = queueOf({ concurrency: 1 });
      const listener = vi.fn();
      queue.subscribe(listener);
      queue.add(files(2));
      await vi.advanceTimersByTimeAsync(0);
      listener.mockClear();
      for (let loaded = 1; loaded <= 5; loaded += 1) {
        runs[0]!.run.onProgress({ loaded, total: 10 });
        await vi.advanceTimersByTimeAsync(10);
      }
      expect(listener).not.toHaveBeenCalled();
      // Read at any time, the list is up to date.
      expect(queue.getSnapshot().items[0]!.percent).toBe(50);
      runs[0]!.resolve('stored');
      await vi.advanceTimersByTimeAsync(0);
      expect(listener).toHaveBeenCalledTimes(1);
      runs[1]!.run.onProgress({ loaded: 3, total: 10 });
      await vi.advanceTimersByTimeAsync(99);
      expect(listener).toHaveBeenCalledTimes(1);
      await vi.advanceTimersByTimeAsync(1);
      // The progress held back is told once its 100 ms are up; the one held before the state, never again.
      expect(listener).toHaveBeenCalledTimes(2);
      expect(queue.getSnapshot().items[1]!.percent).toBe(30);
      await vi.advanceTimersByTimeAsync(500);
      expect(listener).toHaveBeenCalledTimes(2);
    } finally {
      vi.useRealTimers();
    }
  });
});
