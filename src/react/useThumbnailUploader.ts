import { useCallback, useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { useDropzone, type Accept, type DropzoneInputProps as InputProps, type FileRejection } from 'react-dropzone';
import { UploadError, tooLargeError, type UploadErrorKind } from '../core/errors';
import { DEFAULT_MAX_DIMENSION } from '../core/prepare';
import type { ThumbnailResult } from '../core/protocol';
import type { RetryInfo, RetryPolicy } from '../core/retry';
import type { UploadProgress } from '../core/send';
import { DEFAULT_MAX_SIZE, isSafeFileUrl } from '../core/upload';
import { inputLimit, notAnImageError, sniffBlobType } from '../core/validate';
import { useObjectUrl } from './useObjectUrl';
import { useThumbnailUpload } from './useThumbnailUpload';
import { useUploaderConfig } from './UploaderProvider';

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
  /** Largest image sent, in bytes (default 10 MiB): a larger photo is taken if scaling it down brings it under. */
  maxSize?: number;
  /** Longest side sent, in pixels (default 1024); smaller images and GIFs go as they are. The preview shows the original. */
  maxDimension?: number;
  /** JPEG and WebP quality of a scaled-down image, 0 to 1 (default 0.85). */
  quality?: number;
  disabled?: boolean;
  /** Upload as soon as a file is chosen (default), or wait for `upload()`. */
  autoUpload?: boolean;
  /** Automatic retries of network errors, 408, 429 and 5xx (default 3 tries in all, from 1 s apart); `false` for none. */
  retry?: Partial<RetryPolicy> | false;
}

/** Besides retryable failures: a refreshed sign-in, or a server that answers properly next time. */
const RETRY_HELPS: ReadonlySet<UploadErrorKind> = new Set(['auth', 'bad-response']);

const DEFAULT_ACCEPT: Accept = { 'image/*': [] };
const DEFAULT_PICKER_ACCEPT = 'image/*';

/** Headless thumbnail uploader: dropzone, preview, upload, progress, cancel and retry; the markup is yours. */
export function useThumbnailUploader(options: UseThumbnailUploaderOptions) {
  const {
    parentUuid,
    accept = DEFAULT_ACCEPT,
    maxSize = DEFAULT_MAX_SIZE,
    disabled = false,
    autoUpload = true,
    retry,
  } = options;
  const { maxDimension = DEFAULT_MAX_DIMENSION, quality } = options;
  const callbacks = useRef(options);
  useEffect(() => {
    callbacks.current = options;
  });

  const { baseUrl } = useUploaderConfig();
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
      setAnnouncement('');
      const onRetry = (info: RetryInfo) => {
        setProgress(null);
        setRetrying(info);
      };
      mutate(
        {
          file: chosen,
          parentUuid,
          maxSize,
          maxDimension,
          quality,
          retry,
          signal: current.signal,
          onProgress: setProgress,
          onRetry,
        },
        {
          onSuccess: (result) => {
            setAnnouncement('');
            callbacks.current.onUploaded?.(result);
          },
          onError: (error) => {
            if (error.kind !== 'aborted') callbacks.current.onError?.(error);
          },
          onSettled: () => {
            if (controller.current === current) controller.current = null;
          },
        },
      );
    },
    [abort, mutate, parentUuid, maxSize, maxDimension, quality, retry],
  );

  const reset = useCallback(
    (message = '') => {
      abort();
      resetMutation();
      setFile(null);
      setRejection(null);
      setProgress(null);
      setAnnouncement(message);
    },
    [abort, resetMutation],
  );
  const cancel = useCallback(() => reset('Upload cancelled.'), [reset]);

  const refuse = useCallback((error: UploadError) => {
    setRejection(error);
    callbacks.current.onError?.(error);
  }, []);

  const customAccept = accept !== DEFAULT_ACCEPT;
  const onDrop = useCallback(
    async (accepted: File[], rejected: FileRejection[]) => {
      // Read from the ref, not from a render: a drop may land before the pending state is drawn.
      if (controller.current) {
        setAnnouncement('Cancel the current upload before choosing another image.');
        return;
      }
      const [first] = accepted;
      const refusal = rejected[0] && rejectionError(rejected[0], maxSize, customAccept);
      if (!first) {
        if (refusal) refuse(refusal);
        return;
      }
      // An image is known by its bytes, not by the name or type the browser gives it; and nothing
      // that is not one is ever previewed.
      const isImage = customAccept || (await sniffBlobType(first)) !== undefined;
      if (!mounted.current) return;
      if (!isImage) {
        refuse(notAnImageError(first.name));
        return;
      }
      setFile(first);
      if (autoUpload) upload(first);
      else {
        resetMutation();
        setRejection(null);
        setAnnouncement('');
      }
      if (refusal) setAnnouncement(`Only ${first.name} was taken. ${refusal.message}`);
    },
    [customAccept, autoUpload, maxSize, refuse, resetMutation, upload],
  );

  // By default the browser's idea of the type decides nothing (the bytes do); a page's own `accept` is applied as given.
  const dropzone = useDropzone({
    onDrop,
    accept: customAccept ? accept : undefined,
    maxSize: inputLimit(maxSize),
    multiple: false,
    disabled,
    noClick: true,
    noKeyboard: true,
  });

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
    reset(
      wasUploading
        ? 'The upload was cancelled because the message it belonged to changed. Choose the image again.'
        : '',
    );
  }, [parentUuid, reset]);

  const busy = mutation.isPending;
  const error = rejection ?? (mutation.error?.kind === 'aborted' ? null : mutation.error);
  const result = mutation.data ?? null;
  return {
    state: stateOf({
      dragging: dropzone.isDragActive,
      busy,
      error,
      uploaded: mutation.isSuccess,
      chosen: file !== null,
    }),
    file,
    previewUrl,
    /** Percent sent, or `null` before the first progress event. */
    percent: progress && progress.total > 0 ? Math.round((progress.loaded / progress.total) * 100) : null,
    result,
    /** The uploaded image's address, made absolute against the API when the server answered a relative one. */
    resultUrl: result ? absoluteUrl(result.file_url, baseUrl) : undefined,
    /** The automatic retry under way, if any: which try of how many. */
    retrying: busy ? retrying : null,
    error,
    /** A polite message that is no error: a cancellation, files left out of a drop, a drop while busy. */
    announcement,
    /** Whether `upload()` has something to send: a chosen file not yet sent (with `autoUpload: false`). */
    canUpload: !autoUpload && file !== null && mutation.isIdle,
    /** Whether Retry can help: the request failed in a way that sending again may cure. */
    canRetry: Boolean(file && error && error !== rejection && (error.retryable || RETRY_HELPS.has(error.kind))),
    disabled,
    open: dropzone.open,
    /** Sends the chosen file (with `autoUpload: false`), or sends it again after a failure. */
    upload: send,
    retry: send,
    cancel,
    reset: () => reset(),
    /** Escape cancels an upload under way; give it to the root's onKeyDown. */
    onKeyDown: (event: KeyboardEvent) => {
      if (event.key === 'Escape' && busy) cancel();
    },
    getRootProps: dropzone.getRootProps,
    getInputProps: <T extends InputProps>(props?: T) =>
      dropzone.getInputProps({ accept: customAccept ? undefined : DEFAULT_PICKER_ACCEPT, ...props }),
  };
}

export type ThumbnailUploaderApi = ReturnType<typeof useThumbnailUploader>;

function stateOf(s: {
  dragging: boolean;
  busy: boolean;
  error: UploadError | null;
  uploaded: boolean;
  chosen: boolean;
}): UploaderState {
  // An upload under way stays on screen, with its Cancel button, even when a file is dragged over it.
  if (s.busy) return 'uploading';
  if (s.dragging) return 'dragging';
  if (s.error) return 'error';
  if (s.uploaded) return 'uploaded';
  return s.chosen ? 'previewing' : 'idle';
}

function rejectionError({ file, errors }: FileRejection, maxSize: number, customAccept: boolean): UploadError {
  const code = errors[0]?.code;
  if (code === 'file-too-large') return tooLargeError(file.name, file.size, inputLimit(maxSize));
  if (code === 'too-many-files') return new UploadError('invalid-file', 'Drop one image at a time.');
  if (code === 'file-invalid-type' && customAccept)
    return new UploadError('invalid-file', `${file.name} is not one of the types this page accepts.`);
  return notAnImageError(file.name);
}

/** The server's `file_url`, made absolute against the API when relative; nothing that is not http(s). */
function absoluteUrl(fileUrl: string, baseUrl: string): string | undefined {
  if (!isSafeFileUrl(fileUrl)) return undefined;
  try {
    return new URL(fileUrl, new URL(baseUrl, globalThis.location?.href)).href;
  } catch {
    return fileUrl;
  }
}
