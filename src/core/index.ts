export {
  uploadThumbnail,
  isSafeFileUrl,
  DEFAULT_MAX_SIZE,
  type UploadThumbnailOptions,
  type TokenSource,
} from './upload';
export { uploadMedia, DEFAULT_CHUNK_SIZE, type UploadMediaOptions, type ChunkCheckpoint } from './media';
export { prepareImage, DEFAULT_MAX_DIMENSION, DEFAULT_QUALITY, type PrepareImageOptions } from './prepare';
export { DEFAULT_RETRY, type RetryPolicy, type RetryInfo } from './retry';
export {
  createUploader,
  type Uploader,
  type UploaderOptions,
  type UploaderSnapshot,
  type UploaderPhase,
  type UploaderNotice,
  type UploadTask,
  type UploadRun,
  type UploadStep,
  type Refusal,
} from './uploader';
export {
  createUploadQueue,
  type UploadQueue,
  type QueueOptions,
  type QueueSnapshot,
  type QueueItem,
  type QueueItemState,
} from './queue';
export {
  uploadAttachment,
  attachmentTask,
  thumbnailOf,
  DEFAULT_ATTACHMENT_MAX_SIZE,
  type UploadAttachmentOptions,
  type AttachmentTaskOptions,
  type AttachmentResult,
  type AttachmentCheckpoint,
  type ThumbnailJob,
  type ThumbnailOfOptions,
} from './attachment';
export { formatBytes, shortName } from './format';
export {
  UploadError,
  isUploadError,
  type UploadErrorKind,
  type UploadErrorReason,
  type UploadErrorDetails,
} from './errors';
export { sniffImageType, type ImageType } from './sniff';
export { md5Hex } from './md5';
export { UPLOAD_PATH, DEFAULT_FIELD_PREFIX, fieldName, type ThumbnailResult, type MediaResult } from './protocol';
export type { UploadProgress } from './send';
