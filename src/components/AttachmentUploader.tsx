import { memo, useMemo } from 'react';
import {
  useAttachmentQueue,
  type AttachmentAction,
  type AttachmentItem,
  type AttachmentItemGetters,
  type AttachmentQueueLabels,
  type UseAttachmentQueueOptions,
} from '../react/useAttachmentQueue';
import { classesOf, type UploaderLookProps } from './UploaderView';

/** The attachment widget's props: the headless queue's options and the look's (`className`, `classNames`, `unstyled`). */
export interface AttachmentUploaderProps extends UseAttachmentQueueOptions, UploaderLookProps {}

/**
 * Drop, pick or paste files (up to `maxFiles`): each is listed with its thumbnail, uploaded as a
 * media (in parts, with Pause and Resume, when large), then its thumbnail with the media's uuid,
 * `concurrency` at a time; `onUploaded` gets `{ media, thumbnail? }` once per attachment.
 */
export function AttachmentUploader({ className, ...props }: AttachmentUploaderProps) {
  const { classNames, unstyled, ...options } = props;
  const queue = useAttachmentQueue(options);
  const { labels, items, state } = queue;
  // Kept while the look is, so that a row whose item did not change is not drawn again.
  const cx = useMemo(() => classesOf({ classNames, unstyled }), [classNames, unstyled]);

  return (
    <div
      {...queue.getRootProps({ className: cx('root', unstyled ? className : `rtu--list ${className ?? ''}`.trim()) })}
    >
      {/* Reached through the "Choose" button; hidden from assistive technology so it is not a second one. */}
      <input {...queue.getInputProps()} />
      {(items.length === 0 || state === 'dragging') && (
        <p className={cx('hint')}>{state === 'dragging' ? labels.dropHere : labels.hint}</p>
      )}
      {items.length > 0 && (
        <ul {...queue.getListProps({ className: cx('list') })}>
          {items.map((item) => (
            <Row
              key={item.id}
              item={item}
              labels={labels}
              cx={cx}
              getItemProps={queue.getItemProps}
              getItemButtonProps={queue.getItemButtonProps}
              getItemProgressProps={queue.getItemProgressProps}
              getItemImageProps={queue.getItemImageProps}
              getItemAlertProps={queue.getItemAlertProps}
            />
          ))}
        </ul>
      )}
      {state === 'uploading' && (
        <div {...queue.getProgressProps({ className: cx('progress') })}>
          <div className={cx('bar')} style={{ inlineSize: `${(100 * queue.loaded) / (queue.total || 1)}%` }} />
        </div>
      )}
      <div className={cx('actions')}>
        <button {...queue.getButtonProps({ className: cx('button') })}>
          {items.length ? labels.chooseAnother : labels.choose}
        </button>
      </div>
      <p {...queue.getStatusProps({ className: cx('status') })}>{queue.status}</p>
    </div>
  );
}

interface RowProps extends AttachmentItemGetters {
  item: AttachmentItem;
  labels: AttachmentQueueLabels;
  cx: ReturnType<typeof classesOf>;
}

/** One attachment: drawn again only when its item (or the words, or the look) changed. */
const Row = /* @__PURE__ */ memo(function Row({ item, labels, cx, ...get }: RowProps) {
  const image = get.getItemImageProps(item, { className: cx('image') });
  const button = (action: AttachmentAction, text: string, primary = false) => (
    <button
      key={action}
      {...get.getItemButtonProps(item, action, { className: cx(primary ? 'primaryButton' : 'button') })}
    >
      {text}
    </button>
  );
  // An item's buttons, by state; each keeps its place so that focus stays on it when its role changes.
  const actions =
    item.state === 'error' || item.state === 'uploaded'
      ? [item.canRetry && button('retry', labels.retry, true), button('remove', labels.remove)]
      : [
          item.canPause && button('pause', labels.pause),
          item.canResume && button('resume', labels.resume, true),
          button('cancel', labels.cancel),
        ];
  return (
    <li {...get.getItemProps(item, { className: cx('item') })}>
      <span className={cx('media')}>
        {image.src ? (
          <img {...image} alt={image.alt} />
        ) : (
          <span className={cx('file')} aria-hidden="true">
            {extensionOf(item.file.name)}
          </span>
        )}
      </span>
      <span className={cx('details')}>
        {item.resultUrl ? (
          <a href={item.resultUrl} target="_blank" rel="noopener noreferrer">
            {item.name}
          </a>
        ) : (
          <span>{item.name}</span>
        )}{' '}
        <span>({item.size})</span>
        {!item.error && <span className={cx('status')}>{item.status}</span>}
        {item.state === 'uploading' && (
          <span {...get.getItemProgressProps(item, { className: cx('progress') })}>
            <span className={cx('bar')} style={{ inlineSize: `${item.percent ?? 0}%` }} />
          </span>
        )}
      </span>
      <span className={cx('actions')}>{actions}</span>
      {item.error && <span {...get.getItemAlertProps(item, { className: cx('alert') })}>{item.errorMessage}</span>}
    </li>
  );
});

/** What stands for a file with no thumbnail yet: its extension. */
const extensionOf = (name: string) => /\.([a-z0-9]{1,5})$/i.exec(name)?.[1]?.toUpperCase() ?? '';
