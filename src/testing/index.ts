export {
  mockUploadApi,
  type MockUploadApi,
  type MockUploadApiOptions,
  type QueuedFault,
  type ReceivedRequest,
  type UploadCallKind,
  type UploadFault,
} from './mockUploadApi';
