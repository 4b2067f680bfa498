/**
 * `npm run check:storybook`: runs `npm run build-storybook` into a temp folder and checks that the
 * static site is whole: its index lists a story from every `*.stories.tsx` and a docs page from
 * every `.mdx` under stories/, with the pages (index.html, iframe.html) beside it. A story file or
 * MDX page that fails to compile fails the build itself; this also catches one left out of the index.
 */
import { execFile } from 'node:child_process';
import { access, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

interface IndexEntry {
  type: 'story' | 'docs';
  id: string;
  importPath: string;
}

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const started = performance.now();
const outDir = await mkdtemp(join(tmpdir(), 'rtu-storybook-'));
try {
  try {
    await promisify(execFile)('npm', ['run', 'build-storybook', '--', '--output-dir', outDir], {
      cwd: REPO,
      maxBuffer: 32 * 1024 * 1024,
    });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`npm run build-storybook failed:\n${stdout}\n${stderr}`, { cause: error });
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const problems: string[] = [];
  for (const page of ['index.html', 'iframe.html'])
    await access(join(outDir, page)).catch(() => problems.push(`${page} is missing from the build.`));

  const { entries } = JSON.parse(await readFile(join(outDir, 'index.json'), 'utf8')) as {
    entries: Record<string, IndexEntry>;
  };
  const listed = Object.values(entries);
  const sources = (await readdir(join(REPO, 'stories'), { recursive: true }))
    .filter((name) => /\.(mdx|stories\.tsx?)$/.test(name))
    .map((name) => `./stories/${name.split(sep).join('/')}`)
    .sort();
  for (const source of sources) {
    const wanted = source.endsWith('.mdx') ? 'docs' : 'story';
    if (!listed.some((entry) => entry.importPath === source && entry.type === wanted))
      problems.push(`${source} has no ${wanted} entry in index.json.`);
  }
  const count = (type: IndexEntry['type']) => listed.filter((entry) => entry.type === type).length;
  if (problems.length > 0) {
    console.error(`Storybook built in ${seconds} s, but:\n- ${problems.join('\n- ')}`);
    process.exitCode = 1;
  } else {
    console.log(
      `Storybook built in ${seconds} s: ${count('story')} stories and ${count('docs')} docs pages from ${sources.length} files.`,
    );
  }
} finally {
  await rm(outDir, { recursive: true, force: true });
}
