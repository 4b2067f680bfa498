/**
 * The `queue` section's page side, loaded by main.ts only when that section runs: ours is the built
 * `AttachmentUploader` in React 19; the baseline is the platform composer (`./composer.ts`). The
 * section gives the files to the page's file input; this records when they arrived (the input's
 * `change`), every attachment stored, and the page's long tasks.
 */
import { createRoot } from 'react-dom/client';
import { widget } from './builtIndex.js';
import { QUEUE_MARKS } from './marks';
import { mountComposer, type ComposerTarget, type StoredAttachment } from './composer';

/** Ours is the built AttachmentUploader; the baseline the platform composer. */
export type QueueMethod = 'ours' | 'baseline';

export interface QueueStatus {
  stored: number;
  errors: number;
}

export interface QueueFigure {
  /** From the input's `change` to the last attachment stored (media and thumbnail). */
  ms: number;
  stored: StoredAttachment[];
  errors: string[];
  /** The page's long tasks (over 50 ms, PerformanceObserver) from the change on: when, after it, and how long. */
  longTasks: Array<{ at: number; ms: number }>;
  /**
   * The page's long animation frames (over 50 ms) from the change on, with the scripts that ran in
   * each (Chromium's long-animation-frame entries): where a long task's time went.
   */
  longFrames: Array<{
    at: number;
    ms: number;
    renderMs: number;
    scripts: Array<{ invoker: string; source: string; ms: number }>;
  }>;
  /** The page's pictures at the end, by the size they decode to: a preview of an original is 4000 px wide. */
  images: { count: number; widest: number };
}

interface Run {
  count: number;
  start?: number;
  end?: number;
  stored: StoredAttachment[];
  errors: string[];
  tasks: PerformanceEntry[];
  frames: LongFrame[];
  observers: PerformanceObserver[];
}

/** The parts of a `long-animation-frame` entry read here (not yet in TypeScript's DOM types). */
interface LongFrame extends PerformanceEntry {
  renderStart: number;
  scripts: Array<{ invoker: string; sourceURL: string; sourceFunctionName: string; duration: number }>;
}

let current: Run | undefined;

const nextFrame = () => new Promise<void>((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function stored(run: Run, attachment: StoredAttachment) {
  run.stored.push(attachment);
  if (run.stored.length === run.count) {
    run.end = performance.now();
    performance.mark(QUEUE_MARKS.end);
  }
}

interface OursProps {
  count: number;
  run: Run;
}

function onUploadedOf(run: Run) {
  return (attachment: { media: { file_uuid: string }; thumbnail?: { file_uuid: string; parent_file_uuid: string } }) =>
    stored(run, {
      mediaUuid: attachment.media.file_uuid,
      thumbnailUuid: attachment.thumbnail?.file_uuid,
      parentUuid: attachment.thumbnail?.parent_file_uuid,
    });
}

function Widget({ count, run }: OursProps) {
  return (
    <widget.AttachmentUploader
      maxFiles={count}
      concurrency={2}
      onUploaded={onUploadedOf(run)}
      onError={(error) => run.errors.push(`${error.kind}: ${error.message}`)}
    />
  );
}

export const queueBench = {
  /** Renders ours or the baseline into a fresh root and starts recording; the files come next, through the input. */
  async mount(method: QueueMethod, target: ComposerTarget, count: number): Promise<void> {
    const observer = new PerformanceObserver((list) => run.tasks.push(...list.getEntries()));
    const frameObserver = new PerformanceObserver((list) => run.frames.push(...(list.getEntries() as LongFrame[])));
    const run: Run = { count, stored: [], errors: [], tasks: [], frames: [], observers: [observer, frameObserver] };
    current = run;
    const root = document.createElement('div');
    document.body.append(root);
    document.addEventListener(
      'change',
      () => {
        run.start = performance.now();
        performance.mark(QUEUE_MARKS.start);
      },
      { capture: true, once: true },
    );
    if (method === 'baseline') {
      mountComposer(root, target, {
        onUploaded: (attachment) => stored(run, attachment),
        onError: (message) => run.errors.push(message),
      });
    } else {
      createRoot(root).render(
        <widget.UploaderProvider baseUrl={target.baseUrl} token={target.token}>
          <Widget count={count} run={run} />
        </widget.UploaderProvider>,
      );
    }
    let input: HTMLInputElement | null = null;
    for (let frame = 0; frame < 300 && !input; frame += 1) {
      await nextFrame();
      input = root.querySelector<HTMLInputElement>('input[type=file]');
    }
    if (!input) throw new Error(`No file input in ${method}: ${root.innerHTML.slice(0, 300)}`);
    // playwright's setInputFiles refuses several files for an input without it, as a picker does.
    if (!input.multiple) throw new Error(`The file input of ${method} takes one file`);
    observer.observe({ type: 'longtask' });
    if (PerformanceObserver.supportedEntryTypes.includes('long-animation-frame')) {
      frameObserver.observe({ type: 'long-animation-frame' });
    }
  },

  status(): QueueStatus {
    return { stored: current?.stored.length ?? 0, errors: current?.errors.length ?? 0 };
  },

  /** The run's figures, once every file is stored or has failed. */
  async figure(): Promise<QueueFigure> {
    const run = current;
    if (run?.start === undefined) throw new Error('No files arrived');
    // Long-task entries arrive after their task; give the last ones time to be delivered.
    await nextFrame();
    await pause(250);
    const [observer, frameObserver] = run.observers;
    run.tasks.push(...observer!.takeRecords());
    run.frames.push(...(frameObserver!.takeRecords() as LongFrame[]));
    for (const each of run.observers) each.disconnect();
    const { start, end = performance.now() } = run;
    const during = (entry: PerformanceEntry) => entry.startTime + entry.duration >= start && entry.startTime <= end;
    return {
      ms: end - start,
      stored: run.stored,
      errors: run.errors,
      longTasks: run.tasks.filter(during).map((task) => ({ at: task.startTime - start, ms: task.duration })),
      longFrames: run.frames.filter(during).map((frame) => ({
        at: frame.startTime - start,
        ms: frame.duration,
        renderMs: frame.startTime + frame.duration - frame.renderStart,
        scripts: frame.scripts.map((script) => ({
          invoker: script.invoker,
          source: `${script.sourceURL.split('/').pop()} ${script.sourceFunctionName}`,
          ms: script.duration,
        })),
      })),
      images: {
        count: document.images.length,
        widest: Math.max(0, ...[...document.images].map((image) => image.naturalWidth)),
      },
    };
  },
};
