import type { StorybookConfig } from '@storybook/react-vite';

const config: StorybookConfig = {
  framework: '@storybook/react-vite',
  stories: ['../stories/**/*.mdx', '../stories/**/*.stories.@(ts|tsx)'],
  addons: ['@storybook/addon-docs', '@storybook/addon-a11y'],
  // mockServiceWorker.js (from `npx msw init public`) must be served beside iframe.html.
  staticDirs: ['../public'],
  core: {
    builder: {
      name: '@storybook/builder-vite',
      // The root vite.config.ts builds the library: peers external, lib mode, no public dir.
      // Storybook needs none of that, so it gets a config of its own.
      options: { viteConfigPath: '.storybook/vite.config.ts' },
    },
    disableTelemetry: true,
  },
  typescript: {
    // Reads the props through UseThumbnailUploaderOptions and the JSDoc on them.
    reactDocgen: 'react-docgen-typescript',
    reactDocgenTypescriptOptions: {
      shouldExtractLiteralValuesFromEnum: true,
      propFilter: (prop) => !prop.parent || !/node_modules/.test(prop.parent.fileName),
    },
  },
};

export default config;
