// @vitest-environment node
import { UploadError, detailedError } from '../../src/core/errors';
import { sleep } from '../../src/core/retry';
import {
  createUploader,
  type UploadRun,
  type UploadTask,
  type Uploader,
  type UploaderOptions,
  type UploaderSnapshot,
} from '../../src/core/uploader';
import { fakeSend } from '../support/fakeSend';

/** A check the test finishes by hand, per file. */
function heldCheck() {
  const pending = new Map<File, { pass: () => void; refuse: (error: UploadError) => void; signal: AbortSignal }>();
  const check = (file: File, { signal }: { signal: AbortSignal }) =>
    new Promise<undefined>((resolve, reject) => {
      pending.set(file, { pass: () => resolve(undefined), refuse: reject, signal });
    });
  return { check, pending };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));
const fileNamed = (name: string, bytes = 10) => new File([new Uint8Array(bytes)], name);

function machine<TResult = string, TCheckpoint = unknown>(
  task: UploadTask<TResult, TCheckpoint, unknown>,
  options: Partial<UploaderOptions<TResult, TCheckpoint, unknown>> = {},
) {
  const onUploaded = vi.fn<(result: TResult) => void>();
  const onError = vi.fn<(error: UploadError) => void>();
  const uploader = createUploader<TResult, TCheckpoint, unknown>({ task, onUploaded, onError, ...options });
  const seen: Array<UploaderSnapshot<TResult, TCheckpoint, unknown>['phase']> = [];
  uploader.subscribe(() => seen.push(uploader.getSnapshot().phase));
  return { uploader, onUploaded, onError, seen, phase: () => uploader.getSnapshot().phase };
}

describe('createUploader, without React or a server', () => {
  it('goes idle → checking → sending → uploaded, synchronously where it can, and reports once', async () => {
    const { send, runs } = fakeSend();
    const { uploader, onUploaded, seen, phase } = machine({ send });
    uploader.choose([fileNamed('a.png')]);
    expect(phase()).toBe('sending');
    runs[0]!.run.onProgress({ loaded: 5, total: 10 });
    expect(uploader.getSnapshot()).toMatchObject({ phase: 'sending', progress: { loaded: 5, total: 10 } });
    runs[0]!.resolve('stored');
    await flush();
    expect(uploader.getSnapshot()).toMatchObject({ phase: 'uploaded', result: 'stored' });
    expect(onUploaded).toHaveBeenCalledExactlyOnceWith('stored');
    expect(seen).toEqual(['checking', 'sending', 'sending', 'uploaded']);
  });

  it('a double click on Upload, Retry or Resume sends once', async () => {
    const { send, runs } = fakeSend();
    const { uploader, phase } = machine({ send }, { autoUpload: false });
    uploader.choose([fileNamed('a.png')]);
    expect(phase()).toBe('chosen');
    uploader.upload();
    uploader.upload();
    expect(runs).toHaveLength(1);

    runs[0]!.reject(detailedError('server', {}, { status: 500 }));
    await flush();
    expect(phase()).toBe('failed');
    uploader.retry();
    uploader.retry();
    expect(runs).toHaveLength(2);

    uploader.pause();
    await flush();
    expect(phase()).toBe('paused');
    uploader.resume();
    uploader.resume();
    expect(runs).toHaveLength(3);
  });

  it('a file chosen while the previous one is still being checked wins', async () => {
    const { send, runs } = fakeSend();
    const { check, pending } = heldCheck();
    const { uploader } = machine({ check, send });
    const slow = fileNamed('slow.png');
    const quick = fileNamed('quick.png');
    uploader.choose([slow]);
    uploader.choose([quick]);
    expect(pending.get(slow)!.signal.aborted).toBe(true);
    pending.get(quick)!.pass();
    await flush();
    pending.get(slow)!.pass();
    await flush();
    expect(runs.map(({ run }) => run.file.name)).toEqual(['quick.png']);
    expect(uploader.getSnapshot()).toMatchObject({ phase: 'sending', file: quick });
  });

  it('refuses a second file while one uploads, and the first goes on', async () => {
    const { send, runs } = fakeSend();
    const { uploader, onUploaded } = machine({ send });
    uploader.choose([fileNamed('first.png')]);
    uploader.choose([fileNamed('second.png')]);
    expect(uploader.getSnapshot()).toMatchObject({ phase: 'sending', notice: { kind: 'busy' } });
    expect(runs).toHaveLength(1);
    expect(runs[0]!.run.signal.aborted).toBe(false);
    runs[0]!.resolve('first stored');
    await flush();
    expect(onUploaded).toHaveBeenCalledExactlyOnceWith('first stored');
  });

  it('refuses another file while one is paused, keeping its parts', async () => {
    const { send, runs } = fakeSend<string, number>();
    const { uploader } = machine<string, number>({ send });
    uploader.choose([fileNamed('clip.mp4')]);
    runs[0]!.run.onCheckpoint(2);
    uploader.pause();
    uploader.choose([fileNamed('other.png')]);
    expect(uploader.getSnapshot()).toMatchObject({ phase: 'paused', checkpoint: 2, notice: { kind: 'busy' } });
  });

  it('Cancel has the task discard the file it kept for a resume, while sending or paused; Pause, reset and dispose keep it', () => {
    const { send } = fakeSend<string, number>();
    const discard = vi.fn<(file: File) => void>();
    const { uploader } = machine<string, number>({ send, discard });
    const clip = fileNamed('clip.mp4');
    uploader.choose([clip]);
    uploader.pause();
    uploader.resume();
    uploader.reset();
    expect(discard).not.toHaveBeenCalled();
    const other = fileNamed('other.mp4');
    uploader.choose([other]);
    uploader.pause();
    uploader.cancel();
    expect(discard).toHaveBeenCalledExactlyOnceWith(other);
    uploader.choose([clip]);
    uploader.cancel();
    expect(discard).toHaveBeenLastCalledWith(clip);
    uploader.choose([fileNamed('kept.mp4')]);
    uploader.dispose();
    expect(discard).toHaveBeenCalledTimes(2);
  });

  type Act = (uploader: Uploader<string, unknown, unknown>, send: UploadTask<string, unknown, unknown>['send']) => void;
  it.each<[string, Act]>([
    ['reset()', (uploader) => uploader.reset()],
    ['setOptions with a new key', (uploader, send) => uploader.setOptions({ task: { send }, key: 'media-2' })],
  ])('%s during a check starts nothing', async (_name, act) => {
    const { send, runs } = fakeSend();
    const { check, pending } = heldCheck();
    const file = fileNamed('held.png');
    const { uploader, onError, phase } = machine({ check, send }, { key: 'media-1' });
    uploader.choose([file]);
    act(uploader, send);
    expect(phase()).toBe('idle');
    expect(pending.get(file)!.signal.aborted).toBe(true);
    pending.get(file)!.pass();
    await flush();
    expect(runs).toHaveLength(0);
    expect(phase()).toBe('idle');
    expect(onError).not.toHaveBeenCalled();
  });

  it('setOptions with the same key changes nothing, and a new key stops an upload with a notice', async () => {
    const { send, runs } = fakeSend();
    const { uploader } = machine({ send }, { key: 'media-1' });
    uploader.choose([fileNamed('a.png')]);
    uploader.setOptions({ task: { send }, key: 'media-1' });
    expect(uploader.getSnapshot().phase).toBe('sending');
    uploader.setOptions({ task: { send }, key: 'media-2' });
    expect(uploader.getSnapshot()).toMatchObject({ phase: 'idle', notice: { kind: 'interrupted' } });
    expect(runs[0]!.run.signal.aborted).toBe(true);
  });

  it('a Pause that lands as the upload ends gives uploaded, not paused, and reports it once', async () => {
    const { send, runs } = fakeSend();
    const { uploader, onUploaded, phase } = machine({ send });
    uploader.choose([fileNamed('clip.mp4')]);
    // The answer has come when the pause lands, before the run's end reaches the machine.
    runs[0]!.resolve('stored');
    uploader.pause();
    expect(phase()).toBe('paused');
    await flush();
    expect(phase()).toBe('uploaded');
    uploader.resume();
    expect(runs).toHaveLength(1);
    expect(onUploaded).toHaveBeenCalledTimes(1);
  });

  it('resumes from the checkpoint the paused run reported, even as the pause landed', async () => {
    const { send, runs } = fakeSend<string, number>();
    const { uploader } = machine<string, number>({ send });
    uploader.choose([fileNamed('clip.mp4')]);
    runs[0]!.run.onCheckpoint(1);
    uploader.pause();
    runs[0]!.run.onCheckpoint(2);
    await flush();
    expect(uploader.getSnapshot()).toMatchObject({ phase: 'paused', checkpoint: 2 });
    uploader.resume();
    expect(runs[1]!.run.checkpoint).toBe(2);
  });

  it('Resume pressed before the paused run has ended goes on from the checkpoint that run reports last', async () => {
    const runs: Array<UploadRun<number, unknown>> = [];
    let finishPaused!: () => void;
    const send = (run: UploadRun<number, unknown>) => {
      runs.push(run);
      // The first run notices the abort late: its part 3 lands first.
      return runs.length === 1
        ? new Promise<string>((_, reject) => (finishPaused = () => reject(new Error('aborted late'))))
        : new Promise<string>(() => undefined);
    };
    const { uploader, phase } = machine<string, number>({ send });
    uploader.choose([fileNamed('clip.mp4')]);
    uploader.pause();
    uploader.resume();
    uploader.resume();
    expect(runs).toHaveLength(1);
    expect(phase()).toBe('paused');
    runs[0]!.onCheckpoint(3);
    finishPaused();
    await flush();
    expect(runs).toHaveLength(2);
    expect(runs[1]!.checkpoint).toBe(3);
    expect(phase()).toBe('sending');
  });

  it('a task that throws instead of rejecting fails the run, and a check that throws refuses the file', async () => {
    const { uploader, onError } = machine({
      send: () => {
        throw detailedError('server', {}, { status: 500 });
      },
    });
    uploader.choose([fileNamed('a.png')]);
    await flush();
    expect(uploader.getSnapshot()).toMatchObject({ phase: 'failed', refused: false, error: { status: 500 } });
    const refusing = machine({
      check: () => {
        throw detailedError('invalid-file', { reason: 'empty' });
      },
      send: fakeSend().send,
    });
    refusing.uploader.choose([fileNamed('b.png')]);
    await flush();
    expect(refusing.uploader.getSnapshot()).toMatchObject({ phase: 'failed', refused: true });
    expect(onError).toHaveBeenCalledTimes(1);
  });

  it('Cancel during a retry’s backoff stops it at once', async () => {
    let waiting: Promise<void> | undefined;
    const send = vi.fn(async (run: UploadRun<unknown, unknown>) => {
      run.onRetry({ attempt: 2, attempts: 3, delayMs: 60_000, error: detailedError('server', {}, { status: 503 }) });
      waiting = sleep(60_000, run.signal);
      await waiting;
      return 'never';
    });
    const { uploader, onError, phase } = machine({ send });
    uploader.choose([fileNamed('a.png')]);
    expect(uploader.getSnapshot()).toMatchObject({ phase: 'sending', retry: { attempt: 2 } });
    uploader.cancel();
    expect(uploader.getSnapshot()).toMatchObject({ phase: 'idle', notice: { kind: 'cancelled' } });
    await expect(waiting).rejects.toMatchObject({ kind: 'aborted' });
    expect(phase()).toBe('idle');
    expect(onError).not.toHaveBeenCalled();
  });

  it.each(['cancel', 'reset', 'dispose'] as const)(
    'an answer already on its way when %s() lands is dropped: nothing is stored or reported',
    async (action) => {
      const { send, runs } = fakeSend();
      const { uploader, onUploaded, phase } = machine({ send });
      uploader.choose([fileNamed('a.png')]);
      runs[0]!.resolve('stored');
      uploader[action]();
      await flush();
      expect(phase()).toBe('idle');
      expect(onUploaded).not.toHaveBeenCalled();
    },
  );

  it('dispose() mid-upload aborts it and calls nothing back', async () => {
    const { send, runs } = fakeSend();
    const { uploader, onUploaded, onError, seen } = machine({ send });
    uploader.choose([fileNamed('a.png')]);
    const before = seen.length;
    uploader.dispose();
    expect(runs[0]!.run.signal.aborted).toBe(true);
    runs[0]!.run.onProgress({ loaded: 1, total: 2 });
    runs[0]!.resolve('late');
    await flush();
    expect(seen).toHaveLength(before);
    expect(onUploaded).not.toHaveBeenCalled();
    expect(onError).not.toHaveBeenCalled();
    // A drop read after the widget went starts nothing; a new subscriber starts afresh.
    uploader.choose([fileNamed('late.png')]);
    expect(runs).toHaveLength(1);
    uploader.subscribe(() => undefined);
    uploader.choose([fileNamed('again.png')]);
    expect(runs).toHaveLength(2);
  });

  it('after uploaded, a refused file gives a plain refusal, not a failed step', async () => {
    const { send, runs } = fakeSend();
    const check = async (file: File) => {
      if (file.size === 0) throw detailedError('invalid-file', { reason: 'empty', fileName: file.name });
    };
    const { uploader, onError } = machine({ check, send });
    uploader.choose([fileNamed('a.png')]);
    await flush();
    runs[0]!.run.onStep({ name: 'thumbnail' });
    runs[0]!.resolve('stored');
    await flush();
    uploader.choose([fileNamed('empty.png', 0)]);
    await flush();
    expect(uploader.getSnapshot()).toMatchObject({ phase: 'failed', refused: true, step: null });
    expect(onError).toHaveBeenCalledExactlyOnceWith(
      expect.objectContaining({ details: { reason: 'empty', fileName: 'empty.png' } }),
    );
    uploader.retry();
    expect(runs).toHaveLength(1);
  });

  it('a failure keeps the step it came at and the checkpoint, and Retry goes on from it', async () => {
    const { send, runs } = fakeSend<string, string>();
    const { uploader } = machine<string, string>({ send });
    uploader.choose([fileNamed('report.pdf')]);
    runs[0]!.run.onCheckpoint('media stored');
    runs[0]!.run.onStep({ name: 'thumbnail' });
    runs[0]!.reject(detailedError('server', {}, { status: 500 }));
    await flush();
    expect(uploader.getSnapshot()).toMatchObject({
      phase: 'failed',
      refused: false,
      step: { name: 'thumbnail' },
      checkpoint: 'media stored',
    });
    uploader.retry();
    expect(runs[1]!.run.checkpoint).toBe('media stored');
  });

  it('takes the first file of a drop and notes the refused ones; a drop of refused files only is refused', async () => {
    const { send, runs } = fakeSend();
    const { uploader, onError } = machine({ send });
    const big = fileNamed('big.png');
    const error = detailedError('too-large', { reason: 'file-too-large', fileName: 'big.png' });
    uploader.choose([], [{ file: big, error }]);
    expect(uploader.getSnapshot()).toMatchObject({ phase: 'failed', refused: true, file: big, error });
    expect(onError).toHaveBeenCalledExactlyOnceWith(error);
    uploader.choose([fileNamed('a.png')], [{ file: big, error }]);
    expect(uploader.getSnapshot()).toMatchObject({
      phase: 'sending',
      notice: { kind: 'partial', refused: { file: big } },
    });
    runs[0]!.resolve('stored');
    await flush();
    expect(uploader.getSnapshot().notice).toBeNull();
  });

  it('shows the preview its check gives only while the file is the chosen one', async () => {
    const { send } = fakeSend();
    let show!: (blob: Blob) => void;
    const check = async (_file: File, { preview }: { preview: (blob: Blob) => void }) => {
      show = preview;
    };
    const { uploader } = machine({ check, send });
    uploader.choose([fileNamed('clip.mp4')]);
    await flush();
    const frame = new Blob(['frame']);
    show(frame);
    expect(uploader.getSnapshot()).toMatchObject({ phase: 'sending', preview: frame });
    uploader.cancel();
    show(new Blob(['late']));
    expect(uploader.getSnapshot()).toMatchObject({ phase: 'idle' });
  });

  it('owns no state beyond itself: two machines have their own ids and phases', () => {
    const { send } = fakeSend();
    const one = createUploader({ task: { send } });
    const two = createUploader({ task: { send } });
    one.choose([fileNamed('a.png')]);
    expect(one.id).not.toBe(two.id);
    expect(two.getSnapshot().phase).toBe('idle');
  });
});
