import { useEffect, useState, useSyncExternalStore } from 'react';
import { useDropzone, type DropzoneInputProps, type DropzoneRootProps, type FileRejection } from 'react-dropzone';
import {
  DEFAULT_ATTACHMENT_MAX_SIZE,
  type AttachmentCheckpoint,
  type AttachmentResult,
  type ThumbnailJob,
} from '../core/attachment';
import type { UploadError } from '../core/errors';
import {
  createUploadQueue,
  type UploadQueue,
  type QueueItem,
  type QueueItemState,
  type QueueOptions,
} from '../core/queue';
import { errorText, mergeLabels } from './labels';
import { asMutation } from './mutation';
import { attachmentTaskFor, defaultAttachmentLabels, type UseAttachmentUploadOptions } from './useAttachmentUpload';
import { composeHandlers, refusalsOf, type ButtonGetterProps, type ButtonProps } from './useUploader';
import { useUploaderConfig } from './UploaderProvider';

/** One attachment of the list, as the app's composer sees it. */
export interface AttachmentItem {
  id: string;
  file: File;
  state: QueueItemState;
  /** Percent of the step under way (the media, then its thumbnail), or null before its first progress. */
  percent: number | null;
  result?: AttachmentResult;
  error?: UploadError;
  /** The alert's sentence for `error`, from the labels. */
  errorMessage: string;
}

/** What the whole list shows on its root as `data-state`. */
export type AttachmentQueueState = 'idle' | 'dragging' | 'uploading' | 'paused' | 'uploaded' | 'error';

export interface UseAttachmentQueueOptions extends Omit<UseAttachmentUploadOptions, 'autoUpload' | 'onUploaded'> {
  /** Attachments in the list at most; the files of a drop past it are left out, and the status says which. @default 10 */
  maxFiles?: number;
  /** Attachments sent at once; the parts of one attachment stay in series. @default 2 */
  concurrency?: number;
  /** Called once per attachment stored, with its media and thumbnail. */
  onUploaded?: (attachment: AttachmentResult) => void;
  /** The whole list in the order chosen, whenever an item comes, goes or changes state. */
  onChange?: (items: AttachmentItem[]) => void;
}

export interface AttachmentQueueApi extends Pick<
  UploadQueue<AttachmentResult>,
  'remove' | 'retry' | 'cancel' | 'pause' | 'resume' | 'clear'
> {
  items: AttachmentItem[];
  state: AttachmentQueueState;
  /** Bytes of the list stored or sent so far, and in all. */
  loaded: number;
  total: number;
  /** Files of the last drop that went over `maxFiles`. */
  leftOut: readonly File[];
  /** Adds files after those in the list (none while disabled). */
  add: (files: readonly File[]) => void;
  isDragActive: boolean;
  open: () => void;
  getRootProps: (props?: DropzoneRootProps) => DropzoneRootProps;
  getInputProps: (props?: DropzoneInputProps) => DropzoneInputProps;
  getButtonProps: (props?: ButtonProps) => ButtonGetterProps;
}

type Queue = UploadQueue<AttachmentResult, AttachmentCheckpoint, ThumbnailJob>;

/**
 * Headless list of attachments: each file dropped, pasted or picked is added after the others and
 * uploaded (media, then its thumbnail), `concurrency` at a time; a failed one stops no other.
 */
export function useAttachmentQueue(options: UseAttachmentQueueOptions = {}): AttachmentQueueApi {
  const { maxSize = DEFAULT_ATTACHMENT_MAX_SIZE, accept, disabled = false } = options;
  const { queryClient, server } = useUploaderConfig();
  const labels = mergeLabels(defaultAttachmentLabels, options.labels);
  const queueOptions: QueueOptions<AttachmentResult, AttachmentCheckpoint, ThumbnailJob> = {
    task: asMutation(attachmentTaskFor(options, server), queryClient, 'attachment'),
    maxFiles: options.maxFiles,
    concurrency: options.concurrency,
    onUploaded: (result) => options.onUploaded?.(result),
    onError: (error) => options.onError?.(error),
    onChange: (items) => options.onChange?.(items.map(toItem)),
  };
  const [queue] = useState<Queue>(() => createUploadQueue(queueOptions));
  useEffect(() => queue.setOptions(queueOptions));
  useEffect(() => () => queue.dispose(), [queue]);
  const snapshot = useSyncExternalStore(queue.subscribe, queue.getSnapshot, queue.getSnapshot);

  const dropzone = useDropzone({
    onDrop: (accepted: File[], rejected: FileRejection[]) => queue.add(accepted, refusalsOf(rejected, maxSize)),
    accept,
    maxSize,
    disabled,
    noClick: true,
    noKeyboard: true,
  });

  function toItem({ id, file, state, percent, result, error }: QueueItem<AttachmentResult>): AttachmentItem {
    return { id, file, state, percent, result, error, errorMessage: error ? errorText(error, labels, file.name) : '' };
  }
  const items = snapshot.items.map(toItem);
  const has = (state: QueueItemState) => items.some((item) => item.state === state);
  const state: AttachmentQueueState = dropzone.isDragActive
    ? 'dragging'
    : has('uploading') || has('queued')
      ? 'uploading'
      : has('paused')
        ? 'paused'
        : has('error')
          ? 'error'
          : items.length > 0
            ? 'uploaded'
            : 'idle';

  return {
    items,
    state,
    loaded: snapshot.loaded,
    total: snapshot.total,
    leftOut: snapshot.leftOut,
    add: (files) => {
      if (!disabled) queue.add(files);
    },
    remove: queue.remove,
    retry: queue.retry,
    cancel: queue.cancel,
    pause: queue.pause,
    resume: queue.resume,
    clear: queue.clear,
    isDragActive: dropzone.isDragActive,
    open: dropzone.open,
    getRootProps: (props) =>
      dropzone.getRootProps({
        role: 'group',
        'aria-label': labels.region,
        tabIndex: -1,
        'data-state': state,
        ...props,
      }),
    getInputProps: (props) => dropzone.getInputProps({ 'aria-hidden': true, ...props }),
    getButtonProps: (props = {}) => ({
      type: 'button',
      disabled: disabled || undefined,
      ...props,
      onClick: composeHandlers(props.onClick, dropzone.open),
    }),
  };
}
