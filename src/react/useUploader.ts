import type { UseMutationResult } from '@tanstack/react-query';
import {
  useCallback,
  useEffect,
  useRef,
  useState,
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
import { detailedError, tooLargeError, type UploadError, type UploadErrorKind } from '../core/errors';
import { isSafeFileUrl } from '../core/request';
import type { RetryInfo } from '../core/retry';
import type { UploadProgress } from '../core/send';
import { errorText, type PauseLabels, type UploaderLabels } from './labels';
import { useBrowserLayoutEffect } from './useBrowserLayoutEffect';
import { useObjectUrl } from './useObjectUrl';

/** What the widget shows, on its root as `data-state`; `paused` only for a chunked upload that can be paused. */
export type UploadState = 'idle' | 'dragging' | 'previewing' | 'uploading' | 'paused' | 'uploaded' | 'error';

/** What an upload is given to report on itself and to be stopped. */
export interface UploadIo {
  signal: AbortSignal;
  onProgress: (progress: UploadProgress) => void;
  onRetry: (info: RetryInfo) => void;
}

/** The parts a widget is built from; each widget fills them in (what to send, how to check a file, which image to show). */
export interface UploaderParts<TResult, TVariables> {
  mutation: UseMutationResult<TResult, UploadError, TVariables>;
  /** The mutation's variables for sending `file`. */
  variables: (file: File, io: UploadIo) => TVariables;
  /** After the dropzone's own checks: an error refuses the file before it is shown or sent. */
  checkFile: (file: File) => Promise<UploadError | undefined>;
  labels: UploaderLabels & Partial<PauseLabels>;
  /** The page's own `accept`, applied as given; without it every file reaches `checkFile`. */
  accept?: Accept;
  /** The file picker's `accept` when the page gave none. */
  pickerAccept?: string;
  /** Largest file a person may choose, in bytes. */
  inputLimit: number;
  /** What to preview for the chosen file (an image, a captured frame), or nothing. */
  previewOf: (file: File) => Blob | null | undefined;
  /** The link to the uploaded file, absolute. */
  resultUrl: (result: TResult) => string | undefined;
  /** The image to show once uploaded, absolute (default: none). */
  resultImageUrl?: (result: TResult) => string | undefined;
  onUploaded?: (result: TResult) => void;
  onError?: (error: UploadError) => void;
  /** Called when the file is forgotten (cancel, reset), for what a widget keeps beside it. */
  onReset?: () => void;
  disabled: boolean;
  autoUpload: boolean;
  /** Whether the upload under way can be paused now (a chunked one). */
  canPause?: boolean;
  /** When this changes, everything starts afresh; an upload under way is cancelled with `resetNote`. */
  resetKey?: unknown;
  resetNote?: string;
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
export interface UploaderApi<TResult = unknown> {
  state: UploadState;
  /** The chosen file, as the person chose it. */
  file: File | null;
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
  /** Sends the chosen file (with `autoUpload: false`). */
  upload: () => void;
  /** Sends the chosen file again after a failure. */
  retry: () => void;
  /** Stops a chunked upload after the parts sent so far; `resume()` goes on from there. */
  pause: () => void;
  resume: () => void;
  /** Stops the upload and forgets the file; the status says so. */
  cancel: () => void;
  /** Forgets everything, silently. */
  reset: () => void;
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

/** Besides retryable failures: a refreshed sign-in, or a server that answers properly next time. */
const RETRY_HELPS: ReadonlySet<UploadErrorKind> = new Set(['auth', 'bad-response']);

type Handler<E> = ((event: E) => void) | undefined;

/**
 * The user's handler first; ours only if theirs did not call `event.preventDefault()` (as Downshift
 * and react-dropzone let a page take over a part).
 */
function composeHandlers<E extends SyntheticEvent>(theirs: Handler<E>, ours: (event: E) => void) {
  return (event: E) => {
    theirs?.(event);
    if (!event.defaultPrevented) ours(event);
  };
}

/** Props a getter is given: the page's own, merged with ours. */
export type ButtonProps = HTMLAttributes<HTMLButtonElement> & { disabled?: boolean };

/**
 * The machinery every uploader widget shares: dropzone, file check, preview, the upload's state
 * machine, cancel, retry, pause and resume, announcements and prop getters that compose the page's
 * handlers. Internal: the public hooks fill in its parts.
 */
export function useUploader<TResult, TVariables>(parts: UploaderParts<TResult, TVariables>): UploaderApi<TResult> {
  const { mutation, labels, disabled, autoUpload, accept } = parts;
  const latest = useRef(parts);
  useEffect(() => {
    latest.current = parts;
  });

  const { mutate, reset: resetMutation } = mutation;
  const [file, setFile] = useState<File | null>(null);
  const [rejection, setRejection] = useState<UploadError | null>(null);
  const [progress, setProgress] = useState<UploadProgress | null>(null);
  const [retrying, setRetrying] = useState<RetryInfo | null>(null);
  const [paused, setPausedState] = useState(false);
  // Mirrored in a ref for onDrop, which may run before the pause is drawn.
  const pausedNow = useRef(false);
  const setPaused = useCallback((value: boolean) => {
    pausedNow.current = value;
    setPausedState(value);
  }, []);
  const [announcement, setAnnouncement] = useState('');
  const controller = useRef<AbortController | null>(null);
  const preview = file ? parts.previewOf(file) : null;
  const previewUrl = useObjectUrl(preview);

  const abort = useCallback(() => {
    controller.current?.abort();
    controller.current = null;
  }, []);
  // Leaving the page mid-upload stops the request; nothing is called back afterwards, and a drop
  // still being read when the widget goes starts nothing.
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
      abort();
    };
  }, [abort]);

  const upload = useCallback(
    (chosen: File) => {
      abort();
      const current = new AbortController();
      controller.current = current;
      setRejection(null);
      setProgress(null);
      setRetrying(null);
      setPaused(false);
      setAnnouncement('');
      const onRetry = (info: RetryInfo) => {
        setProgress(null);
        setRetrying(info);
      };
      mutate(latest.current.variables(chosen, { signal: current.signal, onProgress: setProgress, onRetry }), {
        onSuccess: (result) => {
          // A pause that landed as the upload ended has nothing left to pause.
          setPaused(false);
          setAnnouncement('');
          latest.current.onUploaded?.(result);
        },
        onError: (error) => {
          if (error.kind !== 'aborted') latest.current.onError?.(error);
        },
        onSettled: () => {
          if (controller.current === current) controller.current = null;
        },
      });
    },
    [abort, mutate, setPaused],
  );

  // Each drop and each reset takes the next number: a drop still being checked when another drop or
  // a reset (a new parentUuid) came after it is stale, and must neither send nor replace what came after.
  const generation = useRef(0);

  const reset = useCallback(
    (message = '') => {
      generation.current += 1;
      abort();
      resetMutation();
      latest.current.onReset?.();
      setFile(null);
      setRejection(null);
      setProgress(null);
      setPaused(false);
      setAnnouncement(message);
    },
    [abort, resetMutation, setPaused],
  );
  const cancel = () => reset(labels.cancelled);

  const refuse = useCallback((error: UploadError) => {
    setRejection(error);
    latest.current.onError?.(error);
  }, []);

  const onDrop = useCallback(
    async (accepted: File[], rejected: FileRejection[]) => {
      const { labels: current, inputLimit: limit } = latest.current;
      // Read from refs, not from a render: a drop may land before the pending state is drawn. A paused
      // upload is busy too: taking another file would throw away the parts already sent.
      if (controller.current || pausedNow.current) {
        setAnnouncement(current.busy);
        return;
      }
      const drop = ++generation.current;
      const [first] = accepted;
      const refusal = rejected[0] && rejectionError(rejected[0], limit);
      if (!first) {
        if (refusal) refuse(refusal);
        return;
      }
      const problem = await latest.current.checkFile(first);
      if (!mounted.current || drop !== generation.current) return;
      if (problem) {
        refuse(problem);
        return;
      }
      setFile(first);
      setPaused(false);
      if (latest.current.autoUpload) upload(first);
      else {
        resetMutation();
        setRejection(null);
        setAnnouncement('');
      }
      if (refusal)
        setAnnouncement(current.partialDrop(first.name, errorText(refusal, current, rejected[0]?.file.name)));
    },
    [refuse, resetMutation, setPaused, upload],
  );

  const dropzone = useDropzone({
    onDrop,
    accept,
    maxSize: parts.inputLimit,
    multiple: false,
    disabled,
    noClick: true,
    noKeyboard: true,
  });

  // A second click before the first has re-rendered must not send twice.
  const send = () => {
    if (file && !controller.current) upload(file);
  };
  const pause = () => {
    if (!controller.current) return;
    abort();
    setPaused(true);
    setProgress(null);
  };

  // Everything belongs to one resetKey (a thumbnail to one media): another starts afresh.
  const keyOfWork = useRef(parts.resetKey);
  useEffect(() => {
    if (Object.is(keyOfWork.current, parts.resetKey)) return;
    keyOfWork.current = parts.resetKey;
    reset(controller.current !== null ? (latest.current.resetNote ?? '') : '');
  }, [parts.resetKey, reset]);

  const busy = mutation.isPending;
  const error = rejection ?? (mutation.error?.kind === 'aborted' ? null : mutation.error);
  const result = mutation.data ?? null;
  const state: UploadState = busy
    ? 'uploading' // an upload under way stays on screen, with its Cancel button, even with a file dragged over it
    : dropzone.isDragActive
      ? 'dragging'
      : error
        ? 'error'
        : mutation.isSuccess // before paused: an upload that ended as Pause was pressed is done
          ? 'uploaded'
          : paused && file
            ? 'paused'
            : file
              ? 'previewing'
              : 'idle';
  // Long names keep their start and extension on screen (and in what is announced); the whole name is sent.
  const fileName = shortName(file?.name ?? '');
  const percent = progress && progress.total > 0 ? Math.round((progress.loaded / progress.total) * 100) : null;
  const activeRetry = busy ? retrying : null;
  const errorMessage = error ? errorText(error, labels, fileName || undefined) : '';
  const status = activeRetry
    ? labels.retrying(activeRetry.attempt, activeRetry.attempts)
    : announcement ||
      (state === 'uploading'
        ? labels.uploading(fileName)
        : state === 'uploaded'
          ? labels.uploaded(fileName)
          : state === 'paused'
            ? (labels.paused?.(fileName) ?? '')
            : '');
  const canRetry = Boolean(file && error && error !== rejection && (error.retryable || RETRY_HELPS.has(error.kind)));
  const canUpload = !autoUpload && file !== null && mutation.isIdle && !paused;
  const canPause = busy && Boolean(parts.canPause);
  const canResume = state === 'paused';
  const resultUrl = result ? parts.resultUrl(result) : undefined;
  const resultImageUrl = result ? parts.resultImageUrl?.(result) : undefined;
  const focusKeeper = useFocusKeeper(state);

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Escape' && busy) cancel();
  };

  /** A real `<button>`'s props: type, our click, disabled, the page's own props and handlers. */
  const buttonProps = (
    action: () => void,
    props: ButtonProps = {},
    guardDoubleClick = false,
  ): ButtonProps & {
    type: 'button';
  } => ({
    type: 'button',
    disabled: disabled || undefined,
    ...props,
    onClick: composeHandlers<MouseEvent<HTMLButtonElement>>(props.onClick, (event) => {
      // Cancel and Pause appear where Retry or Upload was: the second click of a double click is not for them.
      if (guardDoubleClick && event.detail > 1) return;
      action();
    }),
  });

  return {
    state,
    file,
    previewUrl,
    percent,
    result,
    resultUrl,
    resultImageUrl,
    retrying: activeRetry,
    error,
    errorMessage,
    announcement,
    status,
    labels,
    canUpload,
    canRetry,
    canPause,
    canResume,
    disabled,
    isDragActive: dropzone.isDragActive,
    open: dropzone.open,
    upload: send,
    retry: send,
    pause,
    resume: send,
    cancel,
    reset: () => reset(),
    onKeyDown,
    getRootProps: ({ onKeyDown: theirKeyDown, onFocus, onBlur, ...props } = {}) => ({
      ...dropzone.getRootProps({
        role: 'group',
        'aria-label': labels.region,
        'aria-busy': state === 'uploading',
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
    getUploadButtonProps: (props) => buttonProps(send, props),
    getRetryButtonProps: (props) => buttonProps(send, props),
    // Never disabled: whatever happens, an upload under way can be stopped.
    getCancelButtonProps: (props) => ({ ...buttonProps(cancel, props, true), disabled: undefined }),
    getPauseButtonProps: (props) => buttonProps(pause, props, true),
    getResumeButtonProps: (props) => buttonProps(send, props),
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
}

function rejectionError({ file, errors }: FileRejection, limit: number): UploadError {
  const code = errors[0]?.code;
  if (code === 'file-too-large') return tooLargeError(file.name, file.size, limit);
  if (code === 'too-many-files') return detailedError('invalid-file', { reason: 'too-many-files' });
  return detailedError('invalid-file', { reason: 'not-accepted', fileName: file.name });
}

/**
 * The buttons change with the state; when the one that had focus goes (Choose → Cancel → Choose
 * another), focus moves to the first enabled button in the root instead of falling back to the page.
 */
function useFocusKeeper(state: UploadState) {
  const root = useRef<HTMLElement | null>(null);
  const focused = useRef<HTMLElement | null>(null);
  useBrowserLayoutEffect(() => {
    const lost = focused.current && !focused.current.isConnected;
    const active = document.activeElement;
    if (!lost || (active && active !== document.body)) return;
    root.current?.querySelector<HTMLButtonElement>('button:not(:disabled)')?.focus();
  }, [state]);
  return {
    onFocus: (event: FocusEvent<HTMLElement>) => {
      root.current = event.currentTarget;
      focused.current = event.target;
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

/** Long names keep their start and their extension on screen; the whole name is still what is sent. */
export function shortName(name: string, max = 48): string {
  if (name.length <= max) return name;
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 && name.length - dot <= 10 ? name.slice(dot) : '';
  return `${name.slice(0, max - extension.length - 1)}…${extension}`;
}
