export {};

declare module 'vitest' {
  export interface ProvidedContext {
    /** The reference server's port of a story project (test/support/liveServerSetup.ts). */
    liveServerPort: number;
  }
}
