/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** Base URL of the API the Live stories use (default http://127.0.0.1:8787). */
  readonly STORYBOOK_UPLOAD_URL?: string;
  /** Bearer token the Live stories send (default dev-token). */
  readonly STORYBOOK_UPLOAD_TOKEN?: string;
}
