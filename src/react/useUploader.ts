import {
  useEffect,
  useRef,
  useState,
  useSyncExternalStore,
  type FocusEvent,
  type HTMLAttributes,
  type ImgHTMLAttributes,
  type KeyboardEvent,
  type MouseEvent,
  type SyntheticEvent,
} from 'react';
import {
  useDropzone,
  type Accept,
  type DropzoneInputProps,
  type DropzoneRootProps,
  type FileRejection,
} from 'react-dropzone';
import { fromEvent } from 'file-selector';
import { detailedError, tooLargeError, type UploadError } from '../core/errors';
import { formatBytes, shortName } from '../core/format';
import { isSafeFileUrl } from '../core/request';
import { knowSizesInTurns } from '../core/schedule';
import type { RetryInfo } from '../core/retry';
import {
  createUploader,
  type Refusal,
  type UploadRun,
  type UploadTask,
  type Uploader,
  type UploaderNotice,
  type UploaderOptions,
  type UploaderSnapshot,
} from '../core/uploader';
import { errorText, retryText, type PauseLabels, type UploaderLabels } from './labels';
import { asMutation } from './mutation';
import { useBrowserLayoutEffect } from './useBrowserLayoutEffect';
import { useObjectUrl } from './useObjectUrl';
import { useUploaderConfig } from './UploaderProvider';

/** What the widget shows, on its root as `data-state`; `paused` only for a chunked upload that can be paused. */
export type UploadState = 'idle' | 'dragging' | 'previewing' | 'uploading' | 'paused' | 'uploaded' | 'error';

/** The parts a widget is built from; each widget fills them in (what to send, which image to show, its words). */
export interface UploaderParts<TResult, TCheckpoint, TPrepared> {
  /** What to check and send: the machine runs it, each run as a react-query mutation. */
  task: UploadTask<TResult, TCheckpoint, TPrepared>;
  /** The mutation key's second part. */
  kind: 'thumbnail' | 'attachment';
  /** The mutation's variables for a run, as apps read them with `useMutationState` (default: the run). */
  variables?: (run: UploadRun<TCheckpoint, TPrepared>) => unknown;
  labels: UploaderLabels & Partial<PauseLabels>;
  /** The page's own `accept`, applied as given; without it every file reaches the task's check. */
  accept?: Accept;
  /** The file picker's `accept` when the page gave none. */
  pickerAccept?: string;
  /** Largest file a person may choose, in bytes. */
  inputLimit: number;
  /** The link to the uploaded file, absolute. */
  resultUrl: (result: TResult) => string | undefined;
  /** The image to show once uploaded, absolute (default: none). */
  resultImageUrl?: (result: TResult) => string | undefined;
  onUploaded?: (result: TResult) => void;
  onError?: (error: UploadError) => void;
  disabled: boolean;
  autoUpload: boolean;
  /** Whether the upload under way can be paused now (a chunked one). */
  canPause?: (snapshot: UploaderSnapshot<TResult, TCheckpoint, TPrepared>) => boolean;
  /** When this changes, everything starts afresh; an upload under way is stopped with `interruptedNote`. */
  resetKey?: unknown;
  interruptedNote?: string;
}

/** Props for an element a getter describes: the page's own attributes and handlers, merged with ours. */
export type ElementProps = HTMLAttributes<HTMLElement>;

/** A real `<button>`'s props from a getter: always `type="button"`. */
export type ButtonGetterProps = ButtonProps & { type: 'button' };

/**
 * A headless uploader: its state, its actions, and prop getters for each part. Every getter takes
 * the page's own props; its handlers run first, and calling `event.preventDefault()` in one skips
 * ours (the root's drag, drop and paste are react-dropzone's: `event.stopPropagation()` skips them).
 */
export interface UploaderApi<TResult = unknown> extends Pick<
  Uploader<TResult>,
  'upload' | 'retry' | 'pause' | 'resume' | 'cancel' | 'reset'
> {
  state: UploadState;
  /** The chosen file, as the person chose it. */
  file: File | null;
  /** Its name as shown: long names keep their start and extension. */
  fileName: string;
  /** Its size as shown, in the labels' language ("1.5 MB"). */
  fileSize: string;
  /** An object URL of the preview (revoked when it changes and on unmount). */
  previewUrl: string | undefined;
  /** Percent sent, or `null` before the first progress event. */
  percent: number | null;
  result: TResult | null;
  /** The uploaded file's address, made absolute against the API when the server answered a relative one. */
  resultUrl: string | undefined;
  /** The image to show once uploaded (the thumbnail), absolute. */
  resultImageUrl: string | undefined;
  /** The automatic retry under way, if any: which try of how many. */
  retrying: RetryInfo | null;
  error: UploadError | null;
  /** The alert's sentence for `error`, from `labels.errors`. */
  errorMessage: string;
  /** A polite note that is no error: a cancellation, files left out of a drop, a drop while busy. */
  announcement: string;
  /** The live status note: the announcement, else what is happening ("Uploading …", "… uploaded"). */
  status: string;
  /** The labels in use (the defaults merged with the page's). */
  labels: UploaderLabels & Partial<PauseLabels>;
  /** Whether `upload()` has something to send: a chosen file not yet sent (with `autoUpload: false`). */
  canUpload: boolean;
  /** Whether Retry can help: the request failed in a way that sending again may cure. */
  canRetry: boolean;
  /** Whether the upload under way can be paused (a chunked one). */
  canPause: boolean;
  /** Whether a paused upload can go on. */
  canResume: boolean;
  disabled: boolean;
  isDragActive: boolean;
  /** Opens the file picker. */
  open: () => void;
  /** Escape cancels an upload under way; `getRootProps` gives it to the root already. */
  onKeyDown: (event: KeyboardEvent) => void;
  /**
   * The root: dropzone (drop, paste), `role="group"` named by `labels.region`, focusable on click so
   * that Ctrl+V pastes, Escape to cancel, `data-state`, and focus kept in the widget when the
   * focused button goes.
   */
  getRootProps: (props?: DropzoneRootProps) => DropzoneRootProps;
  /** The hidden file input that "Choose" opens, hidden from assistive technology: the button stands for it. */
  getInputProps: (props?: DropzoneInputProps) => DropzoneInputProps;
  /** "Choose": opens the file picker. */
  getButtonProps: (props?: ButtonProps) => ButtonGetterProps;
  getUploadButtonProps: (props?: ButtonProps) => ButtonGetterProps;
  getRetryButtonProps: (props?: ButtonProps) => ButtonGetterProps;
  /** Never disabled: an upload under way can always be stopped. Ignores the second click of a double click. */
  getCancelButtonProps: (props?: ButtonProps) => ButtonGetterProps;
  getPauseButtonProps: (props?: ButtonProps) => ButtonGetterProps;
  getResumeButtonProps: (props?: ButtonProps) => ButtonGetterProps;
  /** `role="progressbar"` named "Uploading …", with `aria-valuenow` once known. */
  getProgressProps: (props?: ElementProps) => ElementProps;
  /** The polite live region: render `status` in it, and keep it in the page when empty. */
  getStatusProps: (props?: ElementProps) => ElementProps;
  /** The alert: render `errorMessage` in it, only while there is an `error`. */
  getAlertProps: (props?: ElementProps) => ElementProps;
  /** The image to show: the uploaded one, else the preview; `src` is undefined when there is none. */
  getImageProps: (props?: ImgHTMLAttributes<HTMLImageElement>) => ImgHTMLAttributes<HTMLImageElement>;
}

/** Whether sending again may cure an error: a retryable one, a refreshed sign-in, or a server that answers properly next time. */
export const retryHelps = (error: UploadError) =>
  error.retryable || error.kind === 'auth' || error.kind === 'bad-response';

type Handler<E> = ((event: E) => void) | undefined;

/**
 * The user's handler first; ours only if theirs did not call `event.preventDefault()` (as Downshift
 * and react-dropzone let a page take over a part).
 */
export function composeHandlers<E extends SyntheticEvent>(theirs: Handler<E>, ours: (event: E) => void) {
  return (event: E) => {
    theirs?.(event);
    if (!event.defaultPrevented) ours(event);
  };
}

/** Props a getter is given: the page's own, merged with ours. */
export type ButtonProps = HTMLAttributes<HTMLButtonElement> & { disabled?: boolean };

/**
 * Binds one upload machine (core/uploader.ts) to React: its snapshot through useSyncExternalStore,
 * react-dropzone for choosing, the words of the labels, and prop getters that compose the page's
 * handlers. Internal: the public hooks fill in its parts.
 */
export function useUploader<TResult, TCheckpoint, TPrepared>(
  parts: UploaderParts<TResult, TCheckpoint, TPrepared>,
): { uploader: UploaderApi<TResult>; snapshot: UploaderSnapshot<TResult, TCheckpoint, TPrepared> } {
  const { labels, disabled, accept, kind } = parts;
  const { queryClient } = useUploaderConfig();
  const options: UploaderOptions<TResult, TCheckpoint, TPrepared> = {
    task: asMutation(parts.task, queryClient, kind, parts.variables),
    key: parts.resetKey,
    autoUpload: parts.autoUpload,
    onUploaded: parts.onUploaded,
    onError: parts.onError,
  };
  const [machine] = useState(() => createUploader(options));
  useEffect(() => machine.setOptions(options));
  // Leaving the page mid-upload stops the request, and nothing is called back afterwards.
  useEffect(() => () => machine.dispose(), [machine]);
  const snapshot = useSyncExternalStore(machine.subscribe, machine.getSnapshot, machine.getSnapshot);

  const dropzone = useDropzone({
    onDrop: (accepted: File[], rejected: FileRejection[]) =>
      machine.choose(accepted, refusalsOf(rejected, parts.inputLimit)),
    accept,
    maxSize: parts.inputLimit,
    multiple: false,
    disabled,
    getFilesFromEvent: filesFromEvent,
    noClick: true,
    noKeyboard: true,
  });

  const { phase } = snapshot;
  const busy = phase === 'sending';
  const error = phase === 'failed' ? snapshot.error : null;
  const refused = phase === 'failed' && snapshot.refused;
  const state: UploadState = busy
    ? 'uploading' // an upload under way stays on screen, with its Cancel button, even with a file dragged over it
    : dropzone.isDragActive
      ? 'dragging'
      : phase === 'failed'
        ? 'error'
        : phase === 'uploaded'
          ? 'uploaded'
          : phase === 'paused'
            ? 'paused'
            : phase === 'chosen'
              ? 'previewing'
              : 'idle';
  // A refused file was never taken: nothing of it is shown but the alert.
  const shown = phase === 'idle' || phase === 'checking' || refused ? null : snapshot;
  const file = shown?.file ?? null;
  const previewUrl = useObjectUrl(shown?.preview);
  // Long names keep their start and extension on screen (and in what is announced); the whole name is sent.
  const fileName = shortName(file?.name ?? '');
  const progress = busy ? snapshot.progress : null;
  const percent = progress && progress.total > 0 ? Math.round((progress.loaded / progress.total) * 100) : null;
  const retrying = busy ? snapshot.retry : null;
  const result = phase === 'uploaded' ? snapshot.result : null;
  const errorMessage = error ? errorText(error, labels, fileName || undefined) : '';
  const announcement = snapshot.notice ? noticeText(snapshot.notice, labels, file?.name, parts.interruptedNote) : '';
  const status = retrying
    ? retryText(retrying, labels)
    : announcement ||
      (state === 'uploading'
        ? labels.uploading(fileName)
        : state === 'uploaded'
          ? labels.uploaded(fileName)
          : state === 'paused'
            ? (labels.paused?.(fileName) ?? '')
            : '');
  const canRetry = Boolean(error && !refused && retryHelps(error));
  const canPause = busy && Boolean(parts.canPause?.(snapshot));
  const resultUrl = result ? parts.resultUrl(result) : undefined;
  const resultImageUrl = result ? parts.resultImageUrl?.(result) : undefined;
  const focusKeeper = useFocusKeeper(state);

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Escape' && busy) machine.cancel();
  };

  /** A real `<button>`'s props: type, our click, disabled, the page's own props and handlers. */
  const buttonProps = (action: () => void, props: ButtonProps = {}, guardDoubleClick = false): ButtonGetterProps => ({
    type: 'button',
    disabled: disabled || undefined,
    ...props,
    onClick: composeHandlers<MouseEvent<HTMLButtonElement>>(props.onClick, (event) => {
      // Cancel and Pause appear where Retry or Upload was: the second click of a double click is not for them.
      if (guardDoubleClick && event.detail > 1) return;
      action();
    }),
  });

  const uploader: UploaderApi<TResult> = {
    state,
    file,
    fileName,
    fileSize: file ? formatBytes(file.size, labels.locale) : '',
    previewUrl,
    percent,
    result,
    resultUrl,
    resultImageUrl,
    retrying,
    error,
    errorMessage,
    announcement,
    status,
    labels,
    canUpload: phase === 'chosen',
    canRetry,
    canPause,
    canResume: phase === 'paused',
    disabled,
    isDragActive: dropzone.isDragActive,
    open: dropzone.open,
    upload: machine.upload,
    retry: machine.retry,
    pause: machine.pause,
    resume: machine.resume,
    cancel: machine.cancel,
    reset: machine.reset,
    onKeyDown,
    getRootProps: ({ onKeyDown: theirKeyDown, onFocus, onBlur, ...props } = {}) => ({
      ...dropzone.getRootProps({
        role: 'group',
        'aria-label': labels.region,
        'aria-busy': busy,
        tabIndex: -1,
        'data-state': state,
        'data-disabled': disabled || undefined,
        ...props,
      }),
      // After the dropzone's: with noKeyboard it drops key and focus handlers; ours are composed here.
      onKeyDown: composeHandlers(theirKeyDown, onKeyDown),
      onFocus: composeHandlers<FocusEvent<HTMLElement>>(onFocus, focusKeeper.onFocus),
      onBlur: composeHandlers<FocusEvent<HTMLElement>>(onBlur, focusKeeper.onBlur),
    }),
    getInputProps: (props) =>
      dropzone.getInputProps({ accept: accept ? undefined : parts.pickerAccept, 'aria-hidden': true, ...props }),
    getButtonProps: (props) => buttonProps(dropzone.open, props),
    getUploadButtonProps: (props) => buttonProps(machine.upload, props),
    getRetryButtonProps: (props) => buttonProps(machine.retry, props),
    // Never disabled: whatever happens, an upload under way can be stopped.
    getCancelButtonProps: (props) => ({ ...buttonProps(machine.cancel, props, true), disabled: undefined }),
    getPauseButtonProps: (props) => buttonProps(machine.pause, props, true),
    getResumeButtonProps: (props) => buttonProps(machine.resume, props),
    getProgressProps: (props = {}) => ({
      role: 'progressbar' as const,
      'aria-label': labels.uploading(fileName),
      'aria-valuemin': 0,
      'aria-valuemax': 100,
      'aria-valuenow': percent ?? undefined,
      ...props,
    }),
    getStatusProps: (props = {}) => ({
      role: 'status' as const,
      'aria-live': 'polite' as const,
      ...props,
    }),
    getAlertProps: (props = {}) => ({ role: 'alert' as const, ...props }),
    getImageProps: (props = {}) => ({
      src: resultImageUrl ?? previewUrl,
      alt: resultImageUrl ? labels.uploadedAlt(fileName) : labels.previewAlt(fileName),
      ...props,
    }),
  };
  return { uploader, snapshot };
}

/** The words of a notice, from the labels. */
function noticeText(notice: UploaderNotice, labels: UploaderLabels, taken = '', interruptedNote = ''): string {
  if (notice.kind === 'cancelled') return labels.cancelled;
  if (notice.kind === 'busy') return labels.busy;
  if (notice.kind === 'interrupted') return interruptedNote;
  const { file, error } = notice.refused;
  return labels.partialDrop(taken, errorText(error, labels, file.name));
}

/** The dropzone's files, each with its size known beforehand: the dropzone then checks 30 photos in one short task. */
export async function filesFromEvent(event: Parameters<typeof fromEvent>[0]) {
  const files = await fromEvent(event);
  await knowSizesInTurns(files);
  return files;
}

/** The files the dropzone refused, each with the error the person is told. */
export function refusalsOf(rejected: readonly FileRejection[], limit: number): Refusal[] {
  return rejected.map((rejection) => ({ file: rejection.file, error: rejectionError(rejection, limit) }));
}

function rejectionError({ file, errors }: FileRejection, limit: number): UploadError {
  const code = errors[0]?.code;
  if (code === 'file-too-large') return tooLargeError(file.name, file.size, limit);
  if (code === 'too-many-files') return detailedError('invalid-file', { reason: 'too-many-files' });
  return detailedError('invalid-file', { reason: 'not-accepted', fileName: file.name });
}

/**
 * The buttons change with the state; when the one that had focus goes (Choose → Cancel → Choose
 * another, or a list's item removed), focus moves to a button near it instead of falling back to
 * the page: in a list, the first button of the same item, else of the item now in its place (the
 * next one, or the last), else the first enabled button in the root.
 */
export function useFocusKeeper(state: unknown) {
  const root = useRef<HTMLElement | null>(null);
  const focused = useRef<{ element: HTMLElement; item?: string; index: number } | null>(null);
  useBrowserLayoutEffect(() => {
    const lost = focused.current;
    const active = document.activeElement;
    if (!root.current || !lost || lost.element.isConnected || (active && active !== document.body)) return;
    const items = [...root.current.querySelectorAll<HTMLElement>('[data-item]')];
    const near = items.find((item) => item.dataset.item === lost.item) ?? items[Math.min(lost.index, items.length - 1)];
    const button = (within?: HTMLElement) => within?.querySelector<HTMLButtonElement>('button:not(:disabled)');
    (button(near) ?? button(root.current))?.focus();
  }, [state]);
  return {
    onFocus: (event: FocusEvent<HTMLElement>) => {
      root.current = event.currentTarget;
      const item = event.target.closest<HTMLElement>('[data-item]');
      const index = item ? [...event.currentTarget.querySelectorAll('[data-item]')].indexOf(item) : -1;
      focused.current = { element: event.target, item: item?.dataset.item, index };
    },
    onBlur: (event: FocusEvent<HTMLElement>) => {
      // Focus that leaves for elsewhere (or nowhere, while the button stays) is the person's choice.
      const next = event.relatedTarget;
      if (next ? !event.currentTarget.contains(next) : event.target.isConnected) focused.current = null;
    },
  };
}

/** The server's `file_url`, made absolute against the API when relative; nothing that is not http(s). */
export function absoluteUrl(fileUrl: string, baseUrl: string): string | undefined {
  if (!isSafeFileUrl(fileUrl)) return undefined;
  try {
    return new URL(fileUrl, new URL(baseUrl, globalThis.location?.href)).href;
  } catch {
    return fileUrl;
  }
}
