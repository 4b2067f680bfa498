import '@testing-library/jest-dom/vitest';
import { configure } from '@testing-library/dom';
import { cleanup } from '@testing-library/react';
import { afterEach, vi } from 'vitest';
import { installObjectUrls, liveObjectUrls } from './support/objectUrls';

if (typeof window !== 'undefined') installObjectUrls();

// findBy* and waitFor wait for uploads to a real server; 1 s (the default) is too short on a busy
// 2-core machine running the browser projects beside. A patience, not a timed assertion.
configure({ asyncUtilTimeout: 5000 });

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
