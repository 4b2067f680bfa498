import type { Decorator, Preview } from '@storybook/react-vite';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { initialize, mswLoader } from 'msw-storybook-addon';
import { useState, type ReactNode } from 'react';
import { configure } from 'storybook/test';
import { UploaderProvider, type UploaderProviderProps } from '../src';
import { STORY_BASE_URL, STORY_TOKEN } from '../stories/support/uploadApi';
import '../src/components/ThumbnailUploader.css';
import './preview.css';

// waitFor and findBy* wait up to 5 s (1 s by default), as expectState does: a story's upload is real
// work (a worker, a service worker, a server), which a machine busy with the whole test run stretches.
configure({ asyncUtilTimeout: 5000 });

// Requests no story mocks (the Live stories' real server, images, Storybook's own files) go to the network untouched.
initialize({ onUnhandledRequest: 'bypass', quiet: true, serviceWorker: { url: './mockServiceWorker.js' } });

/**
 * `parameters.uploader`: the UploaderProvider around a story. Leave it out for the canned API
 * (`STORY_BASE_URL`, `STORY_TOKEN`), override some props, or set `false` when the story renders
 * its own provider (the Live stories).
 */
export type UploaderParameter = false | Partial<Omit<UploaderProviderProps, 'children' | 'queryClient'>>;

function StoryProviders({ config, children }: { config: Partial<UploaderProviderProps>; children: ReactNode }) {
  // A client per story: no mutation, cache or retry state leaks from one story into the next.
  const [queryClient] = useState(() => new QueryClient());
  return (
    <QueryClientProvider client={queryClient}>
      <UploaderProvider baseUrl={STORY_BASE_URL} token={STORY_TOKEN} {...config} queryClient={queryClient}>
        {children}
      </UploaderProvider>
    </QueryClientProvider>
  );
}

const withUploaderProvider: Decorator = (Story, context) => {
  const config = context.parameters.uploader as UploaderParameter | undefined;
  if (config === false) return <Story />;
  return (
    <StoryProviders key={context.id} config={config ?? {}}>
      <Story />
    </StoryProviders>
  );
};

/**
 * `globals.theme`: the toolbar's page theme. "dark" wraps the story in `data-theme="dark"`, the
 * attribute a host app sets to switch the widget's `--rtu-*` colours, and darkens the page
 * (preview.css); "light" sets nothing, so the widget follows the system's colour scheme.
 */
const withTheme: Decorator = (Story, context) => (
  <div className="sb-theme" data-theme={context.globals.theme === 'dark' ? 'dark' : undefined}>
    <Story />
  </div>
);

const preview: Preview = {
  // The theme wraps the providers: a story's own decorators stay closest to it.
  decorators: [withUploaderProvider, withTheme],
  globalTypes: {
    theme: {
      description: 'Page theme around the widget',
      toolbar: {
        title: 'Theme',
        icon: 'mirror',
        items: [
          { value: 'light', title: 'Light (or the system’s)', icon: 'sun' },
          { value: 'dark', title: 'Dark: data-theme="dark"', icon: 'moon' },
        ],
        dynamicTitle: true,
      },
    },
  },
  initialGlobals: { theme: 'light' },
  loaders: [mswLoader],
  parameters: {
    layout: 'padded',
    a11y: { test: 'error' },
    controls: { matchers: { color: /(background|color)$/i } },
    options: {
      storySort: {
        order: [
          'Introduction',
          'Guides',
          ['Server setup', 'Theming', 'Accessibility', 'Errors', 'Headless use', 'Testing'],
          'ThumbnailUploader',
          ['Reference', 'States', 'Keyboard', 'Errors', 'Languages', 'Theming', 'Headless', 'Dark theme', 'Live'],
          'AttachmentUploader',
          ['Reference', 'States', 'Live'],
        ],
      },
    },
  },
};

export default preview;
