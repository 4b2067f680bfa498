import { useLayoutEffect, useRef, type FocusEvent } from 'react';
import { useThumbnailUploader, type UseThumbnailUploaderOptions } from '../react/useThumbnailUploader';

export interface ThumbnailUploaderLabels {
  region: string;
  hint: string;
  dropHere: string;
  choose: string;
  chooseAnother: string;
  upload: string;
  cancel: string;
  retry: string;
  uploading: (fileName: string) => string;
  retrying: (attempt: number, attempts: number) => string;
  uploaded: (fileName: string) => string;
  previewAlt: (fileName: string) => string;
  uploadedAlt: (fileName: string) => string;
}

export const defaultLabels: ThumbnailUploaderLabels = {
  region: 'Thumbnail upload',
  hint: 'Drag an image here, paste it, or',
  dropHere: 'Drop the image to upload it',
  choose: 'Choose image',
  chooseAnother: 'Choose another image',
  upload: 'Upload',
  cancel: 'Cancel',
  retry: 'Retry',
  uploading: (name) => `Uploading ${name}`,
  retrying: (attempt, attempts) => `Retrying… (try ${attempt} of ${attempts})`,
  uploaded: (name) => `${name} uploaded`,
  previewAlt: (name) => `Preview of ${name}`,
  uploadedAlt: (name) => `Uploaded thumbnail of ${name}`,
};

export interface ThumbnailUploaderProps extends UseThumbnailUploaderOptions {
  /** Class added to the root element, beside (or, with `unstyled`, instead of) the built-in ones. */
  className?: string;
  /** Every visible and accessible string; missing ones fall back to English. */
  labels?: Partial<ThumbnailUploaderLabels>;
  /** Drops the built-in class names so that the stylesheet styles nothing. */
  unstyled?: boolean;
}

/** Drop, pick or paste an image; it is previewed, uploaded as the thumbnail of `parentUuid`, and shown from the server's `file_url`. */
export function ThumbnailUploader({
  className,
  labels: labelOverrides,
  unstyled = false,
  ...options
}: ThumbnailUploaderProps) {
  const labels = { ...defaultLabels, ...labelOverrides };
  const uploader = useThumbnailUploader(options);
  const { state, file, previewUrl, percent, resultUrl: shownUrl, retrying, error, disabled } = uploader;
  const cx = (name: string) => (unstyled ? undefined : name);
  const name = shortName(file?.name ?? '');
  const status = retrying
    ? labels.retrying(retrying.attempt, retrying.attempts)
    : uploader.announcement ||
      (state === 'uploading' ? labels.uploading(name) : state === 'uploaded' ? labels.uploaded(name) : '');
  const rootClass = [cx('rtu'), className].filter(Boolean).join(' ') || undefined;
  const { actionsRef, onFocus, onBlur } = useFocusKeeper(state);

  return (
    // A group that takes focus on click (tabIndex -1, never a tab stop), so that Ctrl+V pastes into it;
    // Escape inside it cancels, a shortcut beside the real Cancel button.
    // eslint-disable-next-line jsx-a11y/no-noninteractive-element-interactions
    <div
      {...uploader.getRootProps({ className: rootClass })}
      // After the spread: with noKeyboard, react-dropzone drops key and focus handlers given to getRootProps.
      onKeyDown={uploader.onKeyDown}
      role="group"
      aria-label={labels.region}
      aria-busy={state === 'uploading'}
      tabIndex={-1}
      onFocus={onFocus}
      onBlur={onBlur}
      data-state={state}
      data-disabled={disabled || undefined}
    >
      {/* Reached through the "Choose image" button; hidden from assistive technology so it is not a second one. */}
      <input {...uploader.getInputProps({ 'aria-hidden': true })} />
      {shownUrl ? (
        <a className={cx('rtu__media')} href={shownUrl} target="_blank" rel="noopener noreferrer">
          <img className={cx('rtu__image')} src={shownUrl} alt={labels.uploadedAlt(name)} />
        </a>
      ) : previewUrl ? (
        <div className={cx('rtu__media')}>
          <img className={cx('rtu__image')} src={previewUrl} alt={labels.previewAlt(name)} />
        </div>
      ) : (
        <p className={cx('rtu__hint')}>{state === 'dragging' ? labels.dropHere : labels.hint}</p>
      )}

      {state === 'uploading' && (
        <div
          className={cx('rtu__progress')}
          role="progressbar"
          aria-label={labels.uploading(name)}
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={percent ?? undefined}
        >
          <div className={cx('rtu__bar')} style={{ width: `${percent ?? 0}%` }} />
        </div>
      )}

      {error && (
        <p className={cx('rtu__alert')} role="alert">
          {error.message}
        </p>
      )}

      <div className={cx('rtu__actions')} ref={actionsRef}>
        {state === 'uploading' ? (
          <button
            type="button"
            className={cx('rtu__button')}
            // Cancel appears where Retry or Upload was: the second click of a double click must not cancel.
            onClick={(event) => event.detail < 2 && uploader.cancel()}
          >
            {labels.cancel}
          </button>
        ) : (
          <>
            {uploader.canUpload && (
              <button
                type="button"
                className={cx('rtu__button rtu__button--primary')}
                onClick={uploader.upload}
                disabled={disabled}
              >
                {labels.upload}
              </button>
            )}
            {uploader.canRetry && (
              <button
                type="button"
                className={cx('rtu__button rtu__button--primary')}
                onClick={uploader.retry}
                disabled={disabled}
              >
                {labels.retry}
              </button>
            )}
            <button type="button" className={cx('rtu__button')} onClick={uploader.open} disabled={disabled}>
              {file ? labels.chooseAnother : labels.choose}
            </button>
          </>
        )}
      </div>
      <p className={cx('rtu__status')} role="status" aria-live="polite">
        {status}
      </p>
    </div>
  );
}

/**
 * The buttons change with the state; when the one that had focus goes (Choose → Cancel → Choose
 * another), focus moves to the first action instead of falling back to the page.
 */
function useFocusKeeper(state: string) {
  const actionsRef = useRef<HTMLDivElement>(null);
  const focused = useRef<HTMLElement | null>(null);
  useLayoutEffect(() => {
    const lost = focused.current && !focused.current.isConnected;
    const active = document.activeElement;
    if (!lost || (active && active !== document.body)) return;
    actionsRef.current?.querySelector<HTMLButtonElement>('button:not(:disabled)')?.focus();
  }, [state]);
  return {
    actionsRef,
    onFocus: (event: FocusEvent<HTMLElement>) => {
      focused.current = event.target;
    },
    onBlur: (event: FocusEvent<HTMLElement>) => {
      // Focus that leaves for elsewhere (or nowhere, while the button stays) is the person's choice.
      const next = event.relatedTarget;
      if (next ? !event.currentTarget.contains(next) : event.target.isConnected) focused.current = null;
    },
  };
}

/** Long names keep their start and their extension on screen; the whole name is still what is sent. */
export function shortName(name: string, max = 48): string {
  if (name.length <= max) return name;
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 && name.length - dot <= 10 ? name.slice(dot) : '';
  return `${name.slice(0, max - extension.length - 1)}…${extension}`;
}
