import { useCallback, useEffect, useRef, useState } from 'react';
import { useDropzone, type Accept, type FileRejection } from 'react-dropzone';
import { IMAGE_TYPES_SENTENCE, UploadError, formatBytes, type UploadErrorKind } from '../core/errors';
import type { ThumbnailResult } from '../core/protocol';
import type { RetryInfo, RetryPolicy } from '../core/retry';
import type { UploadProgress } from '../core/send';
import { DEFAULT_MAX_SIZE } from '../core/upload';
import { useObjectUrl } from './useObjectUrl';
import { useThumbnailUpload } from './useThumbnailUpload';

export type UploaderState = 'idle' | 'dragging' | 'previewing' | 'uploading' | 'uploaded' | 'error';

export interface UseThumbnailUploaderOptions {
  /** `file_uuid` of the media the thumbnail belongs to. */
  parentUuid: string;
  /** Called once per successful upload with the server's answer. */
  onUploaded?: (result: ThumbnailResult) => void;
  /** Called when an upload or a chosen file fails (not when the person cancels). */
  onError?: (error: UploadError) => void;
  /** Types offered by the file picker and accepted on drop (react-dropzone's format). */
  accept?: Accept;
  /** Largest file accepted, in bytes (default 10 MiB). */
  maxSize?: number;
  disabled?: boolean;
  /** Upload as soon as a file is chosen (default), or wait for `upload()`. */
  autoUpload?: boolean;
  /** Automatic retries of network errors, 408, 429 and 5xx (default 3 tries in all, from 1 s apart); `false` for none. */
  retry?: Partial<RetryPolicy> | false;
}

/** Besides retryable failures: a refreshed sign-in, or a server that answers properly next time. */
const RETRY_HELPS: ReadonlySet<UploadErrorKind> = new Set(['auth', 'bad-response']);

export const DEFAULT_ACCEPT: Accept = { 'image/*': [] };

/** Headless thumbnail uploader: dropzone, preview, upload, progress, cancel and retry; the markup is yours. */
export function useThumbnailUploader(options: UseThumbnailUploaderOptions) {
  const { parentUuid, accept = DEFAULT_ACCEPT, maxSize = DEFAULT_MAX_SIZE, disabled = false, autoUpload = true, retry } = options;
  const callbacks = useRef(options);
  useEffect(() => {
    callbacks.current = options;
  });

  const mutation = useThumbnailUpload();
  const { mutate, reset: resetMutation } = mutation;
  const [file, setFile] = useState<File | null>(null);
  const [rejection, setRejection] = useState<UploadError | null>(null);
  const [progress, setProgress] = useState<UploadProgress | null>(null);
  const [retrying, setRetrying] = useState<RetryInfo | null>(null);
  const [announcement, setAnnouncement] = useState('');
  const controller = useRef<AbortController | null>(null);
  const previewUrl = useObjectUrl(file);

  const abort = useCallback(() => {
    controller.current?.abort();
    controller.current = null;
  }, []);
  // Leaving the page mid-upload stops the request; nothing is called back afterwards.
  useEffect(() => abort, [abort]);

  const upload = useCallback(
    (chosen: File) => {
      abort();
      const current = new AbortController();
      controller.current = current;
      setRejection(null);
      setProgress(null);
      setRetrying(null);
      const onRetry = (info: RetryInfo) => {
        setProgress(null);
        setRetrying(info);
      };
      mutate(
        { file: chosen, parentUuid, maxSize, retry, signal: current.signal, onProgress: setProgress, onRetry },
        {
          onSuccess: (result) => callbacks.current.onUploaded?.(result),
          onError: (error) => {
            if (error.kind !== 'aborted') callbacks.current.onError?.(error);
          },
          onSettled: () => {
            if (controller.current === current) controller.current = null;
          },
        },
      );
    },
    [abort, mutate, parentUuid, maxSize, retry],
  );

  const choose = useCallback(
    (chosen: File) => {
      setFile(chosen);
      if (autoUpload) upload(chosen);
      else {
        resetMutation();
        setRejection(null);
      }
    },
    [autoUpload, upload, resetMutation],
  );

  const refuse = useCallback((error: UploadError) => {
    setRejection(error);
    callbacks.current.onError?.(error);
  }, []);

  const busy = mutation.isPending;
  const onDrop = useCallback(
    (accepted: File[], rejected: FileRejection[]) => {
      setAnnouncement('');
      if (busy) {
        setAnnouncement('Cancel the current upload before choosing another image.');
        return;
      }
      const [first] = accepted;
      if (first) {
        choose(first);
        if (rejected.length) setAnnouncement(`Only ${first.name} was taken: drop one image at a time.`);
      } else if (rejected[0]) refuse(rejectionError(rejected[0].file, rejected[0].errors[0]?.code, maxSize));
    },
    [busy, choose, refuse, maxSize],
  );

  const dropzone = useDropzone({ onDrop, accept, maxSize, multiple: false, disabled, noClick: true, noKeyboard: true });

  const cancel = useCallback(() => {
    abort();
    resetMutation();
    setFile(null);
    setProgress(null);
    setAnnouncement('Upload cancelled.');
  }, [abort, resetMutation]);

  const reset = useCallback(() => {
    abort();
    resetMutation();
    setFile(null);
    setRejection(null);
    setProgress(null);
    setAnnouncement('');
  }, [abort, resetMutation]);

  // A second click before the first has re-rendered must not send twice.
  const send = () => {
    if (file && !controller.current) upload(file);
  };

  // A thumbnail belongs to one media: another parentUuid starts afresh, and stops an upload for the old one.
  const parentOfWork = useRef(parentUuid);
  useEffect(() => {
    if (parentOfWork.current === parentUuid) return;
    parentOfWork.current = parentUuid;
    const wasUploading = controller.current !== null;
    reset();
    if (wasUploading) setAnnouncement('The upload was cancelled because the message it belonged to changed. Choose the image again.');
  }, [parentUuid, reset]);

  const error = rejection ?? (mutation.error?.kind === 'aborted' ? null : mutation.error);
  const state: UploaderState = dropzone.isDragActive
    ? 'dragging'
    : error
      ? 'error'
      : busy
        ? 'uploading'
        : mutation.isSuccess
          ? 'uploaded'
          : file
            ? 'previewing'
            : 'idle';

  return {
    state,
    file,
    previewUrl,
    /** Percent sent, or `null` before the first progress event. */
    percent: progress && progress.total > 0 ? Math.round((progress.loaded / progress.total) * 100) : null,
    result: mutation.data ?? null,
    /** The automatic retry under way, if any: which try of how many. */
    retrying: busy ? retrying : null,
    error,
    /** A polite message that is no error: a cancellation, files left out of a drop, a drop while busy. */
    announcement,
    /** Whether Retry can help: the request failed in a way that sending again may cure. */
    canRetry: Boolean(file && error && error !== rejection && (error.retryable || RETRY_HELPS.has(error.kind))),
    disabled,
    open: dropzone.open,
    /** Sends the chosen file (with `autoUpload: false`), or sends it again after a failure. */
    upload: send,
    retry: send,
    cancel,
    reset,
    getRootProps: dropzone.getRootProps,
    getInputProps: dropzone.getInputProps,
  };
}

export type ThumbnailUploaderApi = ReturnType<typeof useThumbnailUploader>;

function rejectionError(file: File, code: string | undefined, maxSize: number): UploadError {
  if (code === 'file-too-large') {
    return new UploadError('too-large', `${file.name} is ${formatBytes(file.size)}; the limit is ${formatBytes(maxSize)}. Choose a smaller image.`);
  }
  if (code === 'too-many-files') return new UploadError('invalid-file', 'Drop one image at a time.');
  return new UploadError('invalid-file', `${file.name} is not an image. ${IMAGE_TYPES_SENTENCE}`);
}
