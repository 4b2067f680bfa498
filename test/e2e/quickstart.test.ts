import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import react from '@vitejs/plugin-react';
import { chromium, type Browser } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../server/app';
import { makePng } from '../fixtures';
import { CHROMIUM, CHROMIUM_ARGS } from '../support/chromium';
import type { LoopbackServer } from '../support/loopback';
import { REPO, installBuiltPackage, linkFromRepo, runQuietly, serveStatic } from './support';

/**
 * The README's quick start, copied as a newcomer would: the blocks marked `<!-- quickstart: … -->`
 * go as they are into a fresh Vite react-ts app, against the reference server with its default
 * token. Only what a newcomer must fill in is replaced: the server's address (here on a free port,
 * not :8787) and the media's file_uuid (the one the README's own curl command answered).
 */
const README_SERVER = 'http://127.0.0.1:8787';
const MEDIA_PLACEHOLDER = 'REPLACE-WITH-A-MEDIA-FILE_UUID';
/** The reference server's default token: the quick start uses it as written. */
const DEFAULT_TOKEN = 'dev-token';

/** What `npm create vite@latest my-app -- --template react-ts` writes, less its demo content. */
const VITE_TEMPLATE: Record<string, string> = {
  'index.html': `<!doctype html>
<html lang="en">
  <head>
    <meta charset="UTF-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1.0" />
    <title>my-app</title>
  </head>
  <body>
    <div id="root"></div>
    <script type="module" src="/src/main.tsx"></script>
  </body>
</html>
`,
  'src/main.tsx': `import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import './index.css'
import App from './App.tsx'

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
)
`,
  'src/index.css': ':root { font-family: system-ui, sans-serif; }\n',
  'package.json': JSON.stringify({ name: 'my-app', private: true, type: 'module' }, null, 2),
  // The template's tsconfig.app.json: `npm run build` there is `tsc -b && vite build`.
  'tsconfig.json': JSON.stringify(
    {
      compilerOptions: {
        target: 'ES2022',
        useDefineForClassFields: true,
        lib: ['ES2022', 'DOM', 'DOM.Iterable'],
        module: 'ESNext',
        types: ['vite/client'],
        skipLibCheck: true,
        moduleResolution: 'bundler',
        allowImportingTsExtensions: true,
        verbatimModuleSyntax: true,
        moduleDetection: 'force',
        noEmit: true,
        jsx: 'react-jsx',
        strict: true,
        noUnusedLocals: true,
        noUnusedParameters: true,
        erasableSyntaxOnly: true,
        noFallthroughCasesInSwitch: true,
        noUncheckedSideEffectImports: true,
      },
      include: ['src'],
    },
    null,
    2,
  ),
};
/** The template's own dependencies and dev dependencies that the build and type-check use. */
const TEMPLATE_MODULES = ['react', 'react-dom', '@types/react', '@types/react-dom', 'vite'];

interface QuickStart {
  install: string;
  media: string;
  app: string;
}

let work: string;
let quickStart: QuickStart;
let api: RunningServer;
let browser: Browser;
let site: LoopbackServer;
let mediaUuid: string;
let appSource: string;

beforeAll(async () => {
  quickStart = readQuickStart(await readFile(join(REPO, 'README.md'), 'utf8'));
  work = await mkdtemp(join(tmpdir(), 'rtu-quickstart-'));
  const app = join(work, 'my-app');
  const modules = join(app, 'node_modules');
  const [launched, , started] = await Promise.all([
    chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS }),
    installBuiltPackage(modules),
    startServer({ port: 0, token: DEFAULT_TOKEN, dataDir: join(work, 'data') }),
  ]);
  browser = launched;
  api = started;
  // What the install command adds; the package itself is already there, built.
  const peers = installedPackages(quickStart.install).filter((name) => name !== 'react-thumbnail-uploader');
  await linkFromRepo(modules, [...TEMPLATE_MODULES, ...peers]);

  // The README's curl command, run as written (but for the address) beside a picture called photo.png.
  await writeFile(join(work, 'photo.png'), makePng(64, 48));
  const answer = await runQuietly('sh', ['-c', fill(quickStart.media, { [README_SERVER]: api.url })], { cwd: work });
  mediaUuid = (JSON.parse(answer) as { file_uuid: string }).file_uuid;

  appSource = fill(quickStart.app, { [README_SERVER]: api.url, [MEDIA_PLACEHOLDER]: mediaUuid });
  for (const [path, text] of Object.entries({ ...VITE_TEMPLATE, 'src/App.tsx': appSource })) {
    await mkdir(dirname(join(app, path)), { recursive: true });
    await writeFile(join(app, path), text);
  }
  await runQuietly(
    process.execPath,
    [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json', '--pretty', 'false'],
    {
      cwd: app,
    },
  );
  await build({
    root: app,
    configFile: false,
    envFile: false,
    logLevel: 'silent',
    plugins: [react()],
    build: { outDir: join(app, 'dist'), emptyOutDir: true, sourcemap: false, reportCompressedSize: false },
  });
  site = await serveStatic(join(app, 'dist'));
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
  await api?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe("the README's quick start, copied into a fresh Vite app", () => {
  it('installs the package with its peer and creates a media with the curl command', () => {
    expect(installedPackages(quickStart.install)).toEqual(
      expect.arrayContaining(['react-thumbnail-uploader', '@tanstack/react-query']),
    );
    expect(mediaUuid).toMatch(/\S/);
  });

  it('needs only the address and the media file_uuid filled in', () => {
    expect(appSource).toContain(`baseUrl="${api.url}"`);
    expect(appSource).toContain(`token="${DEFAULT_TOKEN}"`);
    expect(appSource).toContain(`'${mediaUuid}'`);
  });

  it('type-checks, builds, renders "Choose image" and uploads a thumbnail of the media in Chromium', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const logged: string[] = [];
      const pageErrors: string[] = [];
      page.on('console', (message) => logged.push(message.text()));
      page.on('pageerror', (error) => pageErrors.push(error.message));
      await page.goto(site.url);

      const choose = page.getByRole('button', { name: 'Choose image' });
      await choose.waitFor();
      expect(await choose.isEnabled()).toBe(true);

      await page
        .locator('input[type=file]')
        .setInputFiles({ name: 'thumb.png', mimeType: 'image/png', buffer: Buffer.from(makePng(40, 30)) });
      const uploaded = page.getByRole('img', { name: 'Uploaded thumbnail of thumb.png' });
      await uploaded.waitFor();
      const src = await uploaded.getAttribute('src');
      expect(src).toMatch(new RegExp(`^${api.url}/files/`));
      // onUploaded, as the quick start wrote it, logged the stored file's address.
      expect(logged).toContain(`Thumbnail stored at ${src}`);
      expect(pageErrors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

/** The fenced blocks that follow `<!-- quickstart: install | media | src/App.tsx -->` in the README. */
function readQuickStart(readme: string): QuickStart {
  const blocks = new Map<string, string>();
  for (const match of readme.matchAll(/<!-- quickstart: (\S+) -->\s*```\w*\n([\s\S]*?)\n```/g))
    blocks.set(match[1]!, match[2]!);
  const block = (name: string) => {
    const text = blocks.get(name);
    if (text === undefined) throw new Error(`README.md has no code block marked <!-- quickstart: ${name} -->`);
    return text;
  };
  return { install: block('install'), media: block('media'), app: block('src/App.tsx') };
}

/** The packages an `npm install a b c` line names. */
function installedPackages(command: string): string[] {
  const [, names = ''] = /^npm install (.+)$/m.exec(command) ?? [];
  return names.split(/\s+/).filter(Boolean);
}

/** Replaces each placeholder, which must be there exactly once: a README that drops one fails here. */
function fill(text: string, values: Record<string, string>): string {
  let filled = text;
  for (const [placeholder, value] of Object.entries(values)) {
    expect(filled.split(placeholder), `"${placeholder}" once in:\n${text}`).toHaveLength(2);
    filled = filled.replace(placeholder, value);
  }
  return filled;
}
