export { UploaderProvider, type UploaderProviderProps } from './react/UploaderProvider';
export {
  useThumbnailUpload,
  type ThumbnailUploadVariables,
  type ThumbnailUploadOptions,
} from './react/useThumbnailUpload';
export {
  useThumbnailUploader,
  type UseThumbnailUploaderOptions,
  type UploaderState,
  type ThumbnailUploaderApi,
} from './react/useThumbnailUploader';
export {
  ThumbnailUploader,
  defaultLabels,
  type ThumbnailUploaderProps,
  type ThumbnailUploaderLabels,
} from './components/ThumbnailUploader';
export {
  uploadThumbnail,
  UploadError,
  isUploadError,
  type UploadErrorKind,
  type ThumbnailResult,
  type UploadProgress,
  type RetryPolicy,
  type RetryInfo,
} from './core';
