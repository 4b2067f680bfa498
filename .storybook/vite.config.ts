import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** Storybook's own Vite config: the library build's settings (lib mode, external peers) would break the preview bundle. */
export default defineConfig({
  plugins: [react()],
});
