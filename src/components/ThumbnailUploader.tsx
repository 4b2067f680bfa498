import { useThumbnailUploader, type UseThumbnailUploaderOptions } from '../react/useThumbnailUploader';
import { UploaderView, type UploaderLookProps } from './UploaderView';

/** The thumbnail widget's props: the headless hook's options and the look's (`className`, `classNames`, `unstyled`). */
export interface ThumbnailUploaderProps extends UseThumbnailUploaderOptions, UploaderLookProps {}

/** Drop, pick or paste an image; it is previewed, uploaded as the thumbnail of `parentUuid`, and shown from the server's `file_url`. */
export function ThumbnailUploader({ className, classNames, unstyled, ...options }: ThumbnailUploaderProps) {
  return (
    <UploaderView
      uploader={useThumbnailUploader(options)}
      className={className}
      classNames={classNames}
      unstyled={unstyled}
    />
  );
}
