import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { storybookTest } from '@storybook/addon-vitest/vitest-plugin';
import react from '@vitejs/plugin-react';
import type { Alias, Plugin } from 'vite';
import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';
import { browserOf, type Engine } from './test/support/engines.ts';
import { liveTestPort, portForRun } from './test/support/ports.ts';

const external = [
  /^react($|\/)/,
  /^react-dom($|\/)/,
  /^@tanstack\/react-query($|\/)/,
  /^react-dropzone($|\/)/,
  /^file-selector($|\/)/,
  /^hash-wasm($|\/)/,
  /^msw($|\/)/,
];

/** The stylesheet ships beside the code as `styles.css`, no component imports it; libheif's licence beside its chunk. */
const stylesheet: Plugin = {
  name: 'rtu-stylesheet',
  apply: 'build',
  generateBundle() {
    this.emitFile({
      type: 'asset',
      fileName: 'styles.css',
      source: readFileSync('src/components/ThumbnailUploader.css', 'utf8'),
    });
    // The LGPL (and the GPL it builds on) beside the libheif chunk, as its section 4 asks.
    this.emitFile({
      type: 'asset',
      fileName: 'heic-LICENSE.txt',
      source: readFileSync('node_modules/libheif-js/libheif-wasm/LICENSE', 'utf8'),
    });
  },
};

/**
 * libheif-js's bundle carries esbuild's `require` shim, for Node's crypto (browsers use their own).
 * Left in, any `require` in the lazy libheif chunk makes an app's esbuild put its own shim in the
 * first load (about 0.2 kB gzipped); without it, the Node path would throw, which the browser never takes.
 */
const libheifWithoutRequire: Plugin = {
  name: 'rtu-libheif-without-require',
  apply: 'build',
  transform(code, id) {
    if (!id.endsWith('libheif-js/libheif-wasm/libheif-bundle.mjs')) return null;
    const stripped = code
      .replaceAll('typeof require!="undefined"?require:', '')
      .replace('if(typeof require!="undefined")return require.apply(this,arguments);', '');
    if (/\brequire\b(?! of)/.test(stripped))
      throw new Error('libheif-js changed its require shim: update rtu-libheif-without-require.');
    return { code: stripped, map: null };
  },
};

/**
 * React 18 and the @testing-library/react that renders with it, installed in test/react18/fixture/
 * by scripts/ensure-react18.sh: beside the repository's React 19, since one install would clash.
 */
const REACT18_MODULES = fileURLToPath(new URL('./test/react18/fixture/node_modules/', import.meta.url));
const react18: Alias[] = [
  { find: /^react(\/.*)?$/, replacement: `${REACT18_MODULES}react$1` },
  { find: /^react-dom(\/.*)?$/, replacement: `${REACT18_MODULES}react-dom$1` },
  { find: /^@testing-library\/react$/, replacement: `${REACT18_MODULES}@testing-library/react` },
];

/** The tests of everything that renders: src/react and src/components, and server rendering. */
const reactTests = [
  'test/components/**/*.test.{ts,tsx}',
  'test/react/**/*.test.{ts,tsx}',
  'test/ssr/**/*.test.{ts,tsx}',
];

/**
 * In CI a failed test is tried once more: two busy cores sometimes outrun a browser's wait. Each test
 * that passes only then is named at the end of the log (test/support/flakyReporter.ts), to be mended.
 */
const CI_RETRY = process.env.CI ? 1 : 0;

// Chosen once per run (see test/support/ports.ts): each story project starts its server there.
const livePorts: Record<Engine, number> = {
  chromium: await liveTestPort(),
  firefox: await portForRun('RTU_LIVE_PORT_FIREFOX'),
  webkit: await portForRun('RTU_LIVE_PORT_WEBKIT'),
};

/** The reference server of each engine's browser tests (heic.test.ts uploads to it), one per project. */
const browserServerPorts: Record<Engine, number> = {
  chromium: await portForRun('RTU_BROWSER_SERVER_PORT'),
  firefox: await portForRun('RTU_BROWSER_SERVER_PORT_FIREFOX'),
  webkit: await portForRun('RTU_BROWSER_SERVER_PORT_WEBKIT'),
};

/**
 * The built package in an app (thumbnailUploader.test.ts), in Firefox or WebKit: `e2e-firefox`,
 * `e2e-webkit`. The quick start (quickstart.test.ts) stays in Chromium: it checks that the README's
 * code builds and type-checks in a fresh app, which no engine changes.
 */
function e2eIn(engine: 'firefox' | 'webkit'): TestProjectInlineConfiguration {
  return {
    test: {
      name: `e2e-${engine}`,
      environment: 'node',
      include: ['test/e2e/thumbnailUploader.test.ts'],
      globals: true,
      testTimeout: 120_000,
      hookTimeout: 180_000,
      provide: { e2eEngine: engine },
      retry: CI_RETRY,
      // `e2e` builds dist/ in the same test file: two builds must not race (see OTHER_ENGINES_AFTER).
      // A group's projects must have the same maxWorkers.
      maxWorkers: 1,
      sequence: OTHER_ENGINES_AFTER,
    },
  };
}

/**
 * Firefox's and WebKit's projects run after Chromium's and the unit tests: on two cores, a heavy
 * browser beside another one slows both past their stories' waits.
 */
const OTHER_ENGINES_AFTER = { groupOrder: 1 };

/** What a project in `engine` adds: its browser, and the set-up that engine needs. */
function inEngine(engine: Engine) {
  const { headless, ...browser } = browserOf(engine);
  return {
    browser: { enabled: true, headless, ...browser },
    setupFiles: engine === 'firefox' ? ['test/support/firefoxFrameSetup.ts'] : [],
    // One test file at a time beside Chromium's two: Firefox and the MiniBrowser are heavier on two cores.
    ...(engine === 'chromium' ? {} : { maxWorkers: 1, sequence: OTHER_ENGINES_AFTER }),
  };
}

const BROWSER_TEST_DEPS = [
  'react',
  'react/jsx-dev-runtime',
  'react-dom',
  'react-dom/client',
  '@testing-library/react',
  '@tanstack/react-query',
  'react-dropzone',
  'libheif-js/libheif-wasm/libheif-bundle.mjs',
];

/** The browser tests (test/browser/) in `engine`: `browser` for Chromium, `browser-firefox`, `browser-webkit`. */
function browserTests(engine: Engine): TestProjectInlineConfiguration {
  return {
    extends: true,
    // Bundled before the first test file: found later, as a file imports them, they would be bundled
    // again mid-run, and a React rendered by a second copy of react-dom fails (heicWidgets.test.tsx).
    optimizeDeps: { include: BROWSER_TEST_DEPS },
    test: {
      name: engine === 'chromium' ? 'browser' : `browser-${engine}`,
      include: ['test/browser/**/*.test.{ts,tsx}'],
      globals: true,
      // WebKit records no WebM: the video tests' clips are recorded in Chromium for it. The reference
      // server is there for the tests that upload for real.
      globalSetup: [
        ...(engine === 'webkit' ? ['test/support/chromiumVideos.ts'] : []),
        'test/support/liveServerSetup.ts',
      ],
      provide: { liveServerPort: browserServerPorts[engine] },
      // Firefox ESR's stalls (a 15 s timeout in about 1 clean-clone run of 3) were most likely its dropped seeks,
      // asked again by videoFrame.ts now: 0 in 5 runs since (2026-12-03), so it is tried again no more
      // than the other engines, and flakyReporter.ts names any test that needed it.
      retry: CI_RETRY,
      ...inEngine(engine),
    },
  };
}

/**
 * Every story as a test, with axe (`a11y.test: 'error'`), in `engine`: `storybook` for Chromium,
 * `storybook-firefox`, `storybook-webkit`. Each project has its own reference server for the Live
 * stories, on its own port (compiled into its stories), started by its global setup.
 */
function storybookTests(engine: Engine): TestProjectInlineConfiguration {
  const port = livePorts[engine];

  return {
    extends: true,
    plugins: [
      storybookTest({
        configDir: '.storybook',
        disableAddonDocs: true,
        tags: { include: ['test'], exclude: STORIES_SKIPPED_IN[engine] },
      }),
    ],
    test: {
      name: engine === 'chromium' ? 'storybook' : `storybook-${engine}`,
      globalSetup: ['test/support/liveServerSetup.ts'],
      provide: { liveServerPort: port },
      exclude: engine === 'chromium' ? [] : STORIES_ONLY_IN_CHROMIUM,
      ...inEngine(engine),
      // The Live stories upload to the real reference server that the global setup starts, and must.
      setupFiles: [...inEngine(engine).setupFiles, 'test/support/liveStorySetup.ts'],
    },
  };
}

/**
 * Stories not run in an engine, by tag, each for a reason that engine has (the stories' comments say
 * more). Firefox: under Storybook's dev server with MSW's service worker in control, the image worker
 * (a module worker served by Vite) never starts, neither answering nor failing, so an image that must
 * be scaled waits forever (MSW's own bug, mswjs/msw#2654, seen with msw 2.15; a fix may come with msw 3);
 * the built package's inline blob: worker works in Firefox (e2e-firefox), and so do the stories that
 * scale no image there.
 * WebKit: its MediaRecorder records no WebM, so a story cannot make its video clip.
 */
const STORIES_SKIPPED_IN: Record<Engine, string[]> = {
  chromium: [],
  firefox: ['firefox-stalls-worker'],
  webkit: ['webkit-records-no-video'],
};

/**
 * Story files run in Chromium only, to keep `.ci/run` under ten minutes on two cores: they vary the
 * look (themes, brand custom properties), the labels' languages and the headless hook's markup, over
 * the same pipeline and upload paths that the stories kept in Firefox and WebKit already take
 * (ThumbnailUploader, AttachmentUploader, Errors, Keyboard, Live, AttachmentLive).
 */
const STORIES_ONLY_IN_CHROMIUM = [
  'stories/DarkTheme.stories.tsx',
  'stories/Theming.stories.tsx',
  'stories/Languages.stories.tsx',
  'stories/Headless.stories.tsx',
];

/** What each chunk of the build starts with. */
const BANNERS: Record<string, string> = {
  index: "'use client';",
  pdfPage:
    '/*! pdf.js (pdfjs-dist), © Mozilla Foundation, Apache License 2.0: http://www.apache.org/licenses/LICENSE-2.0 */',
  // LGPL-3.0 section 4: the notice, and a chunk apart that an app can replace with its own build of libheif.
  heic: '/*! libheif (libheif-js: libheif, libde265, compiled to WebAssembly), © struktur AG, Dirk Farin and contributors, GNU LGPL 3.0: https://www.gnu.org/licenses/lgpl-3.0.html; source: https://github.com/strukturag/libheif */',
};

export default defineConfig({
  plugins: [react(), stylesheet, libheifWithoutRequire],
  publicDir: 'public',
  build: {
    copyPublicDir: false,
    lib: {
      entry: { index: 'src/index.ts', core: 'src/core/index.ts', testing: 'src/testing/index.ts' },
      formats: ['es'],
    },
    rollupOptions: {
      external,
      output: {
        // Bundlers drop a module-level "use client"; put it back on the React entry only. The lazy
        // chunks that bundle pdf.js and libheif keep their licence notices (the build drops their own).
        banner: (chunk) => BANNERS[chunk.name] ?? '',
      },
    },
  },
  test: {
    // Two cores: at most two test files at once, whatever the layer.
    maxWorkers: 2,
    retry: CI_RETRY,
    reporters: ['default', './test/support/flakyReporter.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          environment: 'jsdom',
          setupFiles: ['test/setup.ts'],
          include: ['test/**/*.test.{ts,tsx}'],
          exclude: ['**/node_modules/**', 'test/e2e/**', 'test/browser/**'],
          globals: true,
          provide: { reactMajor: '19' },
        },
      },
      {
        extends: true,
        // Aliases reach only modules that Vite transforms: the packages that import React themselves are
        // inlined, so their `react` is React 18 too; react-dom and Testing Library, loaded by Node from
        // test/react18/fixture/node_modules, find React 18 beside them. A new dependency that imports
        // React goes in `inline` too, or test/react18/reactVersion.test.tsx fails with two Reacts.
        resolve: { alias: react18 },
        test: {
          name: 'unit-react18',
          environment: 'jsdom',
          setupFiles: ['test/setup.ts'],
          globalSetup: ['test/react18/installReact18.ts'],
          include: [...reactTests, 'test/react18/**/*.test.{ts,tsx}'],
          exclude: ['**/node_modules/**'],
          globals: true,
          provide: { reactMajor: '18' },
          server: { deps: { inline: [/@tanstack\/react-query/, /react-dropzone/] } },
        },
      },
      {
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['test/e2e/**/*.test.ts'],
          globals: true,
          testTimeout: 120_000,
          hookTimeout: 180_000,
          retry: CI_RETRY,
        },
      },
      e2eIn('firefox'),
      e2eIn('webkit'),
      browserTests('chromium'),
      browserTests('firefox'),
      browserTests('webkit'),
      storybookTests('chromium'),
      storybookTests('firefox'),
      storybookTests('webkit'),
    ],
  },
});
