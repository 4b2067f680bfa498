import '@testing-library/jest-dom/vitest';
import { cleanup } from '@testing-library/react';
import { afterEach, vi } from 'vitest';
import { installObjectUrls } from './support/objectUrls';

if (typeof window !== 'undefined') installObjectUrls();

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});
