import { Fragment } from 'react';
import type { UploaderApi } from '../react/useUploader';

/** The parts of a widget that take a class: one slot each. */
export type UploaderSlot =
  | 'root'
  | 'media'
  | 'image'
  | 'file'
  | 'hint'
  | 'progress'
  | 'bar'
  | 'alert'
  | 'actions'
  | 'button'
  | 'primaryButton'
  | 'status'
  | 'list'
  | 'item'
  | 'details';

/** Classes of your own per part, added to the built-in ones (or alone, with `unstyled`). */
export type UploaderClassNames = Partial<Record<UploaderSlot, string>>;

/** What both styled widgets take to look the way a page wants. */
export interface UploaderLookProps {
  /** Class added to the root element, beside (or, with `unstyled`, instead of) the built-in ones. */
  className?: string;
  /**
   * A class of your own for each part: `{ root, media, image, file, hint, progress, bar, alert, actions, button,
   * primaryButton, status }`, and the attachment list's `{ list, item, details }`.
   */
  classNames?: UploaderClassNames;
  /** Drops the built-in class names so that the stylesheet styles nothing; `classNames` stay. @default false */
  unstyled?: boolean;
}

/** The stylesheet's class of a part: `rtu__<slot>`, BEM style. */
function builtIn(slot: UploaderSlot): string {
  if (slot === 'root') return 'rtu';
  return slot === 'primaryButton' ? 'rtu__button rtu__button--primary' : `rtu__${slot}`;
}

/** The class names of each part: the built-in one (unless `unstyled`), the page's, and any extra. */
export function classesOf({ classNames = {}, unstyled = false }: UploaderLookProps) {
  return (slot: UploaderSlot, extra?: string) =>
    [unstyled ? undefined : builtIn(slot), classNames[slot], extra].filter(Boolean).join(' ') || undefined;
}

/** The markup both widgets share, drawn from the headless uploader's state and prop getters. */
export function UploaderView({ uploader, className, ...look }: UploaderLookProps & { uploader: UploaderApi }) {
  const { state, file, labels, previewUrl, resultUrl, resultImageUrl, error } = uploader;
  const cx = classesOf(look);
  // The uploaded image once there is one, else the preview; each with its own alt.
  const image = uploader.getImageProps({ className: cx('image') });
  const fileCard = file && (
    <>
      <span>{uploader.fileName}</span> <span>({uploader.fileSize})</span>
    </>
  );

  return (
    <div {...uploader.getRootProps({ className: cx('root', className) })}>
      {/* Reached through the "Choose" button; hidden from assistive technology so it is not a second one. */}
      <input {...uploader.getInputProps()} />
      {resultUrl ? (
        <a className={cx(resultImageUrl ? 'media' : 'file')} href={resultUrl} target="_blank" rel="noopener noreferrer">
          {resultImageUrl ? <img {...image} alt={image.alt} /> : fileCard}
        </a>
      ) : previewUrl ? (
        <div className={cx('media')}>
          <img {...image} alt={image.alt} />
        </div>
      ) : file && state !== 'dragging' ? (
        <p className={cx('file')}>{fileCard}</p>
      ) : (
        <p className={cx('hint')}>{state === 'dragging' ? labels.dropHere : labels.hint}</p>
      )}

      {state === 'uploading' && (
        <div {...uploader.getProgressProps({ className: cx('progress') })}>
          <div className={cx('bar')} style={{ inlineSize: `${uploader.percent ?? 0}%` }} />
        </div>
      )}

      {error && <p {...uploader.getAlertProps({ className: cx('alert') })}>{uploader.errorMessage}</p>}

      <div className={cx('actions')}>
        {/* Keyed: a button that changes role is a new element, so the focus keeper moves focus deliberately. */}
        {state === 'uploading' || state === 'paused' ? (
          <Fragment key="busy">
            {uploader.canPause && labels.pause && (
              <button {...uploader.getPauseButtonProps({ className: cx('button') })}>{labels.pause}</button>
            )}
            {uploader.canResume && labels.resume && (
              <button {...uploader.getResumeButtonProps({ className: cx('primaryButton') })}>{labels.resume}</button>
            )}
            <button {...uploader.getCancelButtonProps({ className: cx('button') })}>{labels.cancel}</button>
          </Fragment>
        ) : (
          <Fragment key="ready">
            {uploader.canUpload && (
              <button {...uploader.getUploadButtonProps({ className: cx('primaryButton') })}>{labels.upload}</button>
            )}
            {uploader.canRetry && (
              <button {...uploader.getRetryButtonProps({ className: cx('primaryButton') })}>{labels.retry}</button>
            )}
            <button {...uploader.getButtonProps({ className: cx('button') })}>
              {file ? labels.chooseAnother : labels.choose}
            </button>
          </Fragment>
        )}
      </div>
      <p {...uploader.getStatusProps({ className: cx('status') })}>{uploader.status}</p>
    </div>
  );
}
