export { uploadThumbnail, isSafeFileUrl, DEFAULT_MAX_SIZE, type UploadThumbnailOptions } from './upload';
export { UploadError, isUploadError, type UploadErrorKind } from './errors';
export { sniffImageType, type ImageType } from './sniff';
export { UPLOAD_PATH, DEFAULT_FIELD_PREFIX, fieldName, type ThumbnailResult, type MediaResult } from './protocol';
export type { UploadProgress } from './send';
