import {
  useDeferredValue,
  useEffect,
  useMemo,
  useState,
  useSyncExternalStore,
  type FocusEvent,
  type ImgHTMLAttributes,
} from 'react';
import { useDropzone, type DropzoneInputProps, type DropzoneRootProps, type FileRejection } from 'react-dropzone';
import {
  DEFAULT_ATTACHMENT_MAX_SIZE,
  type AttachmentCheckpoint,
  type AttachmentResult,
  type ThumbnailJob,
} from '../core/attachment';
import type { UploadError } from '../core/errors';
import { formatBytes, shortName } from '../core/format';
import {
  createUploadQueue,
  type UploadQueue,
  type QueueItem,
  type QueueItemState,
  type QueueOptions,
} from '../core/queue';
import { errorText, mergeLabels, retryText, type LabelOverrides } from './labels';
import { asMutation } from './mutation';
import {
  attachmentTaskFor,
  canPauseAttachment,
  defaultAttachmentLabels,
  partOrigin,
  type AttachmentUploaderLabels,
  type UseAttachmentUploadOptions,
} from './useAttachmentUpload';
import { useObjectUrls } from './useObjectUrl';
import {
  absoluteUrl,
  composeHandlers,
  filesFromEvent,
  refusalsOf,
  retryHelps,
  useFocusKeeper,
  type ButtonGetterProps,
  type ButtonProps,
  type ElementProps,
} from './useUploader';
import { useUploaderConfig } from './UploaderProvider';

/** What an item's buttons do: each is named with its file ("Cancel holiday.jpg"). */
export type AttachmentAction = 'cancel' | 'retry' | 'pause' | 'resume' | 'remove';

/** Every string the attachment list shows or announces: the attachment uploader's, and the list's own. */
export interface AttachmentQueueLabels extends AttachmentUploaderLabels {
  /** Accessible name of the list of attachments. */
  list: string;
  /** Takes an item out of the list (one that failed, or is stored). */
  remove: string;
  /** An item's button, named with its file: the action's word and the file's name. */
  itemAction: (action: string, fileName: string) => string;
  /** An item's state while it waits for its turn. */
  waiting: string;
  /** The list's polite summary. */
  summary: (uploaded: number, total: number) => string;
  /** The whole list's progress, in bytes formatted in the labels' language. */
  totalProgress: (loaded: string, total: string) => string;
  /** Said when files of a drop went over `maxFiles`: their names, and the limit. */
  leftOut: (fileNames: readonly string[], maxFiles: number) => string;
}

/** The English labels of the attachment list; with `maxFiles={1}` its words are the single uploader's. */
export const defaultAttachmentQueueLabels: AttachmentQueueLabels = /* @__PURE__ */ Object.assign(
  {},
  defaultAttachmentLabels,
  {
    hint: 'Drag files here, paste them, or',
    dropHere: 'Drop the files to attach them',
    choose: 'Choose files',
    chooseAnother: 'Choose more files',
    list: 'Attachments',
    remove: 'Remove',
    itemAction: (action, name) => `${action} ${name}`,
    waiting: 'Waiting to upload',
    summary: (uploaded, total) => `${uploaded} of ${total} uploaded`,
    totalProgress: (loaded, total) => `${loaded} of ${total} sent`,
    leftOut: (names, max) =>
      `${names.length === 1 ? `${names[0]} was` : `${names.join(', ')} were`} left out: at most ${max} ${max === 1 ? 'file' : 'files'} per message.`,
  } satisfies Partial<AttachmentQueueLabels>,
);

/** One attachment of the list, as the app's composer sees it. */
export interface AttachmentItem {
  id: string;
  file: File;
  state: QueueItemState;
  /** Percent of the step under way (the media, then its thumbnail), or null before its first progress. */
  percent: number | null;
  result?: AttachmentResult;
  error?: UploadError;
  /** The file's name as shown (long names keep their start and extension), and its size in the labels' language. */
  name: string;
  size: string;
  /** An object URL of its thumbnail once made (never of the original), revoked when the item goes. */
  previewUrl?: string;
  /** The stored media's address, once stored. */
  resultUrl?: string;
  /** What the item is doing, in the labels' words ("Uploading the thumbnail of …", "Waiting to upload"). */
  status: string;
  /** The alert's sentence for `error`, from the labels. */
  errorMessage: string;
  canRetry: boolean;
  /** A chunked media under way can be paused between parts. */
  canPause: boolean;
  canResume: boolean;
}

/** What the whole list shows on its root as `data-state`. */
export type AttachmentQueueState = 'idle' | 'dragging' | 'uploading' | 'paused' | 'uploaded' | 'error';

export interface UseAttachmentQueueOptions extends Omit<
  UseAttachmentUploadOptions,
  'autoUpload' | 'onUploaded' | 'labels'
> {
  /** Attachments in the list at most; the files of a drop past it are left out, and the status says which. @default 10 */
  maxFiles?: number;
  /** Attachments sent at once; the parts of one attachment go `partConcurrency` at a time. @default 2 */
  concurrency?: number;
  /** Called once per attachment stored, with its media and thumbnail. */
  onUploaded?: (attachment: AttachmentResult) => void;
  /** The whole list in the order chosen, whenever an item comes, goes or changes state. */
  onChange?: (items: AttachmentItem[]) => void;
  /** Every visible and announced string; missing ones fall back to English. @default defaultAttachmentQueueLabels */
  labels?: LabelOverrides<AttachmentQueueLabels>;
}

export interface AttachmentQueueApi
  extends
    Pick<UploadQueue<AttachmentResult>, 'remove' | 'retry' | 'cancel' | 'pause' | 'resume' | 'clear'>,
    AttachmentItemGetters {
  items: AttachmentItem[];
  state: AttachmentQueueState;
  labels: AttachmentQueueLabels;
  /** Bytes of the list stored or sent so far, and in all. */
  loaded: number;
  total: number;
  /** Files of the last drop that went over `maxFiles`. */
  leftOut: readonly File[];
  /** The polite status: the files left out, if any, then "2 of 5 uploaded". */
  status: string;
  /** Adds files after those in the list (none while disabled). */
  add: (files: readonly File[]) => void;
  disabled: boolean;
  isDragActive: boolean;
  open: () => void;
  /** The root: dropzone (drop, paste), `role="group"`, aggregate `data-state`, focus kept on removal. */
  getRootProps: (props?: DropzoneRootProps) => DropzoneRootProps;
  getInputProps: (props?: DropzoneInputProps) => DropzoneInputProps;
  /** "Choose files": opens the file picker. */
  getButtonProps: (props?: ButtonProps) => ButtonGetterProps;
  /** The `<ul>` of items, named by `labels.list`. */
  getListProps: (props?: ElementProps) => ElementProps;
  /** The whole list's `role="progressbar"` in bytes, named by `labels.list`, its value text "3 MB of 10 MB sent". */
  getProgressProps: (props?: ElementProps) => ElementProps;
  /** The polite live region: render `status` in it, and keep it in the page when empty. */
  getStatusProps: (props?: ElementProps) => ElementProps;
}

/** The getters of one item: the same functions from render to render while the labels and `disabled` are. */
export interface AttachmentItemGetters {
  /** An item's `<li>`: its `data-state`, and the mark that lets focus find its neighbour. */
  getItemProps: (item: AttachmentItem, props?: ElementProps) => ElementProps;
  /** An item's button, named with its file; Cancel is never disabled. */
  getItemButtonProps: (item: AttachmentItem, action: AttachmentAction, props?: ButtonProps) => ButtonGetterProps;
  /** An item's `role="progressbar"`, named "Uploading …". */
  getItemProgressProps: (item: AttachmentItem, props?: ElementProps) => ElementProps;
  /** An item's preview, `alt` "Preview of …". */
  getItemImageProps: (
    item: AttachmentItem,
    props?: ImgHTMLAttributes<HTMLImageElement>,
  ) => ImgHTMLAttributes<HTMLImageElement>;
  /** An item's alert: render its `errorMessage` in it, only while it has an `error`. */
  getItemAlertProps: (item: AttachmentItem, props?: ElementProps) => ElementProps;
}

type Queue = UploadQueue<AttachmentResult, AttachmentCheckpoint, ThumbnailJob>;
type Item = QueueItem<AttachmentResult, AttachmentCheckpoint, ThumbnailJob>;

/**
 * Headless list of attachments: each file dropped, pasted or picked is added after the others and
 * uploaded (media, then its thumbnail), `concurrency` at a time; a failed one stops no other.
 */
export function useAttachmentQueue(options: UseAttachmentQueueOptions = {}): AttachmentQueueApi {
  const { maxSize = DEFAULT_ATTACHMENT_MAX_SIZE, accept, disabled = false, maxFiles = 10 } = options;
  const { queryClient, server } = useUploaderConfig();
  const single = maxFiles === 1;
  // Kept while the app's labels are: an item whose words did not change is not drawn again.
  const labels = useMemo(
    () =>
      mergeLabels(
        single ? { ...defaultAttachmentQueueLabels, ...defaultAttachmentLabels } : defaultAttachmentQueueLabels,
        options.labels,
      ),
    [single, options.labels],
  );
  const queueOptions: QueueOptions<AttachmentResult, AttachmentCheckpoint, ThumbnailJob> = {
    task: asMutation(attachmentTaskFor(options, server), queryClient, 'attachment'),
    maxFiles,
    concurrency: options.concurrency,
    onUploaded: (result) => options.onUploaded?.(result),
    onError: (error) => options.onError?.(error),
    onChange: (items) => options.onChange?.(items.map((item) => toItem(item, labels, server.baseUrl))),
  };
  const [queue] = useState<Queue>(() => createUploadQueue(queueOptions));
  useEffect(() => queue.setOptions(queueOptions));
  useEffect(() => () => queue.dispose(), [queue]);
  const current = useSyncExternalStore(queue.subscribe, queue.getSnapshot, queue.getSnapshot);
  const deferred = useDeferredValue(current);
  // Files just added are drawn in a render React can interrupt: 30 photos in one drop never hold the
  // page. Every other change (a state, a removal that moves focus) is drawn at once.
  const snapshot = current.items.length > deferred.items.length ? deferred : current;
  const previews = useObjectUrls(snapshot.items.map(previewOf));
  const focusKeeper = useFocusKeeper(snapshot);
  // Formatting a size first loads the language's number data (about 10 ms): done now, not in the first drop.
  useEffect(() => void formatBytes(0, labels.locale), [labels.locale]);

  const dropzone = useDropzone({
    onDrop: (accepted: File[], rejected: FileRejection[]) => queue.add(accepted, refusalsOf(rejected, maxSize)),
    accept,
    maxSize,
    disabled,
    getFilesFromEvent: filesFromEvent,
    noClick: true,
    noKeyboard: true,
  });

  const items = snapshot.items.map((item) => {
    const preview = previewOf(item);
    return viewOf(item, labels, server.baseUrl, preview && previews.get(preview));
  });
  const count = (state: QueueItemState) => items.filter((item) => item.state === state).length;
  const state: AttachmentQueueState = dropzone.isDragActive
    ? 'dragging'
    : count('uploading') || count('queued')
      ? 'uploading'
      : count('paused')
        ? 'paused'
        : count('error')
          ? 'error'
          : items.length > 0
            ? 'uploaded'
            : 'idle';
  const leftOut = snapshot.leftOut.map((file) => shortName(file.name));
  const status = [
    leftOut.length ? labels.leftOut(leftOut, maxFiles) : '',
    items.length ? labels.summary(count('uploaded'), items.length) : '',
  ]
    .filter(Boolean)
    .join(' ');
  // The same functions while labels and `disabled` are, so that a list can skip the items that did not change.
  const itemGetters = useMemo((): AttachmentItemGetters => {
    const actionWords: Record<AttachmentAction, string> = {
      cancel: labels.cancel,
      retry: labels.retry,
      pause: labels.pause,
      resume: labels.resume,
      remove: labels.remove,
    };
    return {
      getItemProps: (item, props) => ({ 'data-item': item.id, 'data-state': item.state, ...props }) as ElementProps,
      getItemButtonProps: (item, action, props = {}) => ({
        type: 'button',
        'aria-label': labels.itemAction(actionWords[action], item.name),
        // Whatever happens, an upload under way can be stopped and an item taken out.
        disabled: (disabled && action !== 'cancel' && action !== 'remove') || undefined,
        ...props,
        onClick: composeHandlers(props.onClick, () => queue[action](item.id)),
      }),
      getItemProgressProps: (item, props) => ({
        role: 'progressbar',
        'aria-label': labels.uploading(item.name),
        'aria-valuemin': 0,
        'aria-valuemax': 100,
        'aria-valuenow': item.percent ?? undefined,
        ...props,
      }),
      getItemImageProps: (item, props) => ({ src: item.previewUrl, alt: labels.previewAlt(item.name), ...props }),
      getItemAlertProps: (_item, props) => ({ role: 'alert', ...props }),
    };
  }, [labels, disabled, queue]);

  return {
    items,
    state,
    labels,
    loaded: snapshot.loaded,
    total: snapshot.total,
    leftOut: snapshot.leftOut,
    status,
    add: (files) => {
      if (!disabled) queue.add(files);
    },
    remove: queue.remove,
    retry: queue.retry,
    cancel: queue.cancel,
    pause: queue.pause,
    resume: queue.resume,
    clear: queue.clear,
    disabled,
    isDragActive: dropzone.isDragActive,
    open: dropzone.open,
    getRootProps: ({ onFocus, onBlur, ...props } = {}) => ({
      ...dropzone.getRootProps({
        role: 'group',
        'aria-label': labels.region,
        tabIndex: -1,
        'data-state': state,
        'data-disabled': disabled || undefined,
        ...props,
      }),
      onFocus: composeHandlers<FocusEvent<HTMLElement>>(onFocus, focusKeeper.onFocus),
      onBlur: composeHandlers<FocusEvent<HTMLElement>>(onBlur, focusKeeper.onBlur),
    }),
    getInputProps: (props) => dropzone.getInputProps({ 'aria-hidden': true, ...props }),
    getButtonProps: (props = {}) => ({
      type: 'button',
      disabled: disabled || undefined,
      ...props,
      onClick: composeHandlers(props.onClick, dropzone.open),
    }),
    getListProps: (props) => ({ 'aria-label': labels.list, ...props }),
    ...itemGetters,
    getProgressProps: (props) => ({
      role: 'progressbar',
      'aria-label': labels.list,
      'aria-valuemin': 0,
      'aria-valuemax': 100,
      'aria-valuenow': Math.round((100 * snapshot.loaded) / (snapshot.total || 1)),
      'aria-valuetext': labels.totalProgress(
        formatBytes(snapshot.loaded, labels.locale),
        formatBytes(snapshot.total, labels.locale),
      ),
      ...props,
    }),
    getStatusProps: (props) => ({ role: 'status', 'aria-live': 'polite', ...props }),
  };
}

/** Each item's view, kept while its item, words, address and preview are: one file's progress redraws one row. */
const views = /* @__PURE__ */ new WeakMap<
  Item,
  { labels: AttachmentQueueLabels; baseUrl: string; view: AttachmentItem }
>();

function viewOf(item: Item, labels: AttachmentQueueLabels, baseUrl: string, previewUrl: string | undefined) {
  const kept = views.get(item);
  if (kept?.labels === labels && kept.baseUrl === baseUrl && kept.view.previewUrl === previewUrl) return kept.view;
  const view: AttachmentItem = { ...toItem(item, labels, baseUrl), previewUrl };
  views.set(item, { labels, baseUrl, view });
  return view;
}

const previewOf = ({ snapshot }: Item) => ('preview' in snapshot ? (snapshot.preview ?? undefined) : undefined);

/** An item of the core queue in the words and addresses a page shows; its preview URL is the hook's. */
function toItem(item: Item, labels: AttachmentQueueLabels, baseUrl: string): AttachmentItem {
  const { id, file, state, percent, result, error, snapshot } = item;
  const name = shortName(file.name);
  const sending = snapshot.phase === 'sending' ? snapshot : null;
  const refused = snapshot.phase === 'failed' && snapshot.refused;
  const thumbnailFailed = snapshot.phase === 'failed' && snapshot.step?.name === 'thumbnail';
  const withoutThumbnail = snapshot.phase === 'uploaded' ? snapshot.prepared?.error : undefined;
  const errorMessage = error ? errorText(error, labels, name) : '';
  const origin = partOrigin(sending?.step, labels, name);
  const status = sending?.retry
    ? retryText(sending.retry, labels)
    : state === 'queued'
      ? labels.waiting
      : sending?.step?.name === 'thumbnail'
        ? labels.uploadingThumbnail(name)
        : origin
          ? origin
          : state === 'uploading'
            ? labels.uploading(name)
            : state === 'paused'
              ? labels.paused(name)
              : withoutThumbnail
                ? labels.uploadedWithoutThumbnail(name, errorText(withoutThumbnail, labels, name))
                : state === 'uploaded'
                  ? labels.uploaded(name)
                  : '';
  return {
    id,
    file,
    state,
    percent,
    result,
    error,
    name,
    size: formatBytes(file.size, labels.locale),
    resultUrl: result ? absoluteUrl(result.media.file_url, baseUrl) : undefined,
    status,
    errorMessage: thumbnailFailed ? labels.thumbnailFailed(errorMessage) : errorMessage,
    canRetry: Boolean(error && !refused && retryHelps(error)),
    canPause: state === 'uploading' && canPauseAttachment(snapshot),
    canResume: state === 'paused',
  };
}
