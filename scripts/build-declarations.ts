/**
 * Writes one self-contained declaration file per package entry: dist/index.d.ts, dist/core.d.ts and
 * dist/testing.d.ts.
 *
 * tsc alone emits a .d.ts per source file, joined by extensionless relative imports (`'../core/errors'`)
 * that TypeScript's node16/nodenext resolution refuses in an ESM package, and that src/ keeps because
 * Vite resolves them. So tsc emits into a private temp folder (one per run: several builds may run at
 * once in this tree), and rollup-plugin-dts bundles each entry from there with no relative import left.
 * Each entry is bundled on its own, without shared declaration chunks (TS2742, see rollup-plugin-dts's
 * README): the core types are declared in both files, which TypeScript treats as the same types since
 * they are structural (UploadError has no private members).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { rollup } from 'rollup';
import { dts } from 'rollup-plugin-dts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** dist/, or the folder given (`tsx scripts/build-declarations.ts <outDir>`) beside a `vite build --outDir`. */
const OUT_DIR = resolve(process.argv[2] ?? join(ROOT, 'dist'));

/** Output file (beside its .js, as package.json's `exports` says) and its entry in src/. */
const ENTRIES = [
  { output: 'index.d.ts', source: 'index.d.ts' },
  { output: 'core.d.ts', source: 'core/index.d.ts' },
  { output: 'testing.d.ts', source: 'testing/index.d.ts' },
];

/** What an installed package may import types from: its dependencies and peers; anything else is an error. */
const manifest = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as {
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
};
const packages = Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies });
const isPackage = (id: string) => packages.some((name) => id === name || id.startsWith(`${name}/`));

const emitted = await mkdtemp(join(tmpdir(), 'rtu-declarations-'));
try {
  await tsc(['-p', 'tsconfig.build.json', '--outDir', emitted]);
  for (const entry of ENTRIES) {
    const bundle = await rollup({
      input: join(emitted, entry.source),
      plugins: [dts()],
      external: isPackage,
      onwarn: (warning, warn) => {
        // A type from a package that is neither a dependency nor a peer would not resolve once installed.
        if (warning.code === 'UNRESOLVED_IMPORT') throw new Error(`Bundling ${entry.output}: ${warning.message}`);
        warn(warning);
      },
    });
    const { output } = await bundle.write({ file: join(OUT_DIR, entry.output), format: 'es' });
    await bundle.close();
    // Such as src/core/image.ts's vite/client: an app's TypeScript would need Vite's types to load ours.
    const reference = output[0].code.match(/^\/\/\/ *<reference .*$/m);
    if (reference) throw new Error(`${entry.output} must not carry ${reference[0]}`);
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
} finally {
  await rm(emitted, { recursive: true, force: true });
}

async function tsc(args: string[]): Promise<void> {
  try {
    await promisify(execFile)(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), ...args], {
      cwd: ROOT,
    });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`The declarations were not built: tsc ${args.join(' ')} failed:\n${stdout}${stderr}`);
  }
}
