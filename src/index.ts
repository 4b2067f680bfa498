export { UploaderProvider, type UploaderProviderProps } from './react/UploaderProvider';
export {
  useThumbnailUpload,
  type ThumbnailUploadVariables,
  type ThumbnailUploadOptions,
} from './react/useThumbnailUpload';
export {
  useThumbnailUploader,
  defaultLabels,
  type UseThumbnailUploaderOptions,
  type UploaderState,
  type ThumbnailUploaderApi,
  type ThumbnailUploaderLabels,
} from './react/useThumbnailUploader';
export type { UploadState, UploaderApi, ButtonProps, ButtonGetterProps, ElementProps } from './react/useUploader';
export {
  errorLabelsFrom,
  type UploaderLabels,
  type PauseLabels,
  type LabelOverrides,
  type ErrorLabel,
  type ErrorLabels,
  type ErrorLabelParams,
} from './react/labels';
export { ThumbnailUploader, type ThumbnailUploaderProps } from './components/ThumbnailUploader';
export {
  useAttachmentUpload,
  defaultAttachmentLabels,
  DEFAULT_ATTACHMENT_MAX_SIZE,
  type AttachmentResult,
  type AttachmentPhase,
  type AttachmentUploaderApi,
  type AttachmentUploaderLabels,
  type UseAttachmentUploadOptions,
} from './react/useAttachmentUpload';
export { AttachmentUploader, type AttachmentUploaderProps } from './components/AttachmentUploader';
export {
  useAttachmentQueue,
  defaultAttachmentQueueLabels,
  type AttachmentAction,
  type AttachmentQueueLabels,
  type AttachmentItem,
  type AttachmentItemGetters,
  type AttachmentQueueApi,
  type AttachmentQueueState,
  type UseAttachmentQueueOptions,
} from './react/useAttachmentQueue';
export type { UploaderClassNames, UploaderSlot, UploaderLookProps } from './components/UploaderView';
export {
  uploadThumbnail,
  uploadMedia,
  DEFAULT_CHUNK_SIZE,
  UploadError,
  isUploadError,
  type UploadErrorKind,
  type ThumbnailResult,
  type MediaResult,
  type ChunkCheckpoint,
  type UploadMediaOptions,
  type UploadProgress,
  type RetryPolicy,
  type RetryInfo,
} from './core';
export { formatBytes, type UploadErrorReason, type UploadErrorDetails } from './core';
