export {};

declare module 'vitest' {
  export interface ProvidedContext {
    /** The reference server's port of a story project (test/support/liveServerSetup.ts). */
    liveServerPort: number;
    /** The engine of an end-to-end project (test/e2e/thumbnailUploader.test.ts); Chromium when unset. */
    e2eEngine?: 'chromium' | 'firefox' | 'webkit';
  }
}
