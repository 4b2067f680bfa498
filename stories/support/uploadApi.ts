/**
 * The canned upload API of the stories: `react-thumbnail-uploader/testing`'s `mockUploadApi`, the
 * one protocol fake (the same an app's tests use), answered by MSW in the browser on the stories'
 * base URL, taking their token. A story file makes one, lists its `handlers` in
 * `parameters.msw.handlers`, calls `reset()` in its `beforeEach`, queues faults with `fail()` and
 * checks `requests`.
 */
import { mockUploadApi, type MockUploadApi } from '../../src/testing';

export const STORY_BASE_URL = 'https://api.example.test';
export const STORY_TOKEN = 'story-token';
export const STORY_UPLOAD_URL = `${STORY_BASE_URL}/api/v2/pm/upload/`;
/** The `file_uuid` of the media every canned story attaches its thumbnail to. */
export const STORY_PARENT_UUID = '5a0b7d3e-1c2f-4e8a-9b6d-0f1e2d3c4b5a';

export function storyUploadApi(): MockUploadApi {
  return mockUploadApi({ baseUrl: STORY_BASE_URL, token: STORY_TOKEN });
}
