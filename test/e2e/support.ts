import { execFile } from 'node:child_process';
import { copyFile, mkdir, readFile, symlink } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { listenOnLoopback, type LoopbackServer } from '../support/loopback';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Runs a command quietly and gives its stdout; its output is shown only if it fails. */
export async function runQuietly(command: string, args: string[], options: { cwd?: string } = {}): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)(command, args, {
      cwd: options.cwd ?? REPO,
      // Vitest sets NODE_ENV=test; an app ships the production build.
      env: { ...process.env, NODE_ENV: 'production', FORCE_COLOR: '0' },
      maxBuffer: 16 * 1024 * 1024,
    });
    return stdout;
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed:\n${stdout}\n${stderr}`, { cause: error });
  }
}

/**
 * This package as `npm install` leaves it in an app: `node_modules/react-thumbnail-uploader` holding
 * package.json and a `dist/` built as `npm run build` builds it, with its dependencies hoisted beside
 * it (and its peers only where the app installed them). The build goes to that folder, not to the
 * repository's `dist/`, so that it never races another build of `dist/` (the other e2e test file,
 * or someone running `npm run build`).
 */
export async function installBuiltPackage(modules: string): Promise<string> {
  const target = join(modules, 'react-thumbnail-uploader');
  const outDir = join(target, 'dist');
  await mkdir(target, { recursive: true });
  await runQuietly(process.execPath, [
    join(REPO, 'node_modules/vite/bin/vite.js'),
    'build',
    '--outDir',
    outDir,
    '--emptyOutDir',
    '--logLevel',
    'warn',
  ]);
  const manifest = JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
    peerDependencies?: Record<string, string>;
  };
  await runQuietly(process.execPath, [
    join(REPO, 'node_modules/tsx/dist/cli.mjs'),
    join(REPO, 'scripts/build-declarations.ts'),
    outDir,
  ]);
  await copyFile(join(REPO, 'package.json'), join(target, 'package.json'));
  await linkFromRepo(modules, Object.keys(manifest.dependencies ?? {}));
  return target;
}

/**
 * Puts packages of this repository's node_modules into an app's, as links: the app resolves them
 * (and their own dependencies) from one copy, so that there is one React.
 */
export async function linkFromRepo(modules: string, names: readonly string[]): Promise<void> {
  for (const name of names) {
    const link = join(modules, name);
    await mkdir(dirname(link), { recursive: true });
    await symlink(join(REPO, 'node_modules', name), link, 'dir');
  }
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
};

/** A built app on its own loopback origin, so that every API call is a real cross-origin request. */
export async function serveStatic(dir: string): Promise<LoopbackServer> {
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://app').pathname;
    const file = join(dir, path.endsWith('/') ? `${path}index.html` : path);
    if (!file.startsWith(dir + sep)) {
      res.writeHead(403).end();
      return;
    }
    readFile(file).then(
      (bytes) =>
        res.writeHead(200, { 'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream' }).end(bytes),
      () => res.writeHead(404).end(),
    );
  });
  return listenOnLoopback(server);
}
