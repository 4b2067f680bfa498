import { useAttachmentUpload, type UseAttachmentUploadOptions } from '../react/useAttachmentUpload';
import { UploaderView, type UploaderLookProps } from './UploaderView';

/** The attachment widget's props: the headless hook's options and the look's (`className`, `classNames`, `unstyled`). */
export interface AttachmentUploaderProps extends UseAttachmentUploadOptions, UploaderLookProps {}

/**
 * Drop, pick or paste any allowed file: it is previewed, uploaded as a media (in parts, with Pause
 * and Resume, when large), then its thumbnail (the image scaled down, a video's frame, or the app's
 * `makeThumbnail`) with the media's uuid; `onUploaded` gets `{ media, thumbnail? }`.
 */
export function AttachmentUploader({ className, classNames, unstyled, ...options }: AttachmentUploaderProps) {
  return (
    <UploaderView
      uploader={useAttachmentUpload(options)}
      className={className}
      classNames={classNames}
      unstyled={unstyled}
    />
  );
}
