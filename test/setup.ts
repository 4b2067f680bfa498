import '@testing-library/jest-dom/vitest';
import { cleanup } from '@testing-library/react';
import { afterEach, vi } from 'vitest';
import { installObjectUrls, liveObjectUrls } from './support/objectUrls';

if (typeof window !== 'undefined') installObjectUrls();

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
  // Every path (success, error, cancel, unmount) must have revoked the preview URLs it made.
  if (liveObjectUrls.size > 0) {
    const leaked = [...liveObjectUrls];
    liveObjectUrls.clear();
    throw new Error(`Object URLs left unrevoked after the test: ${leaked.join(', ')}`);
  }
});
