/**
 * What the docs pages show, read from the files it documents at build time, so that the pages never
 * drift from them: the README's quick start (the very code test/e2e/quickstart.test.ts builds), the
 * stylesheet's custom properties, and the examples beside this file (type-checked with the project).
 */
import readme from '../../README.md?raw';
import stylesheet from '../../src/components/ThumbnailUploader.css?raw';

/** The code block of the README marked `<!-- quickstart: name -->`. */
export function readmeBlock(name: string): string {
  const marker = `<!-- quickstart: ${name} -->`;
  const at = readme.indexOf(marker);
  const block = at < 0 ? null : /```\w*\n([\s\S]*?)\n```/.exec(readme.slice(at + marker.length));
  if (!block?.[1]) throw new Error(`README.md has no code block marked ${marker}`);
  return block[1];
}

export interface CustomProperty {
  name: string;
  /** The default, or the light theme's default when it has one per theme. */
  light: string;
  /** The dark theme's default, when it differs by theme. */
  dark?: string;
}

/** Every `--rtu-*` property the stylesheet reads (`--_rtu-x: var(--rtu-x, default)`), with its defaults. */
export const customProperties: CustomProperty[] = [
  ...stylesheet.matchAll(/--_rtu-[\w-]+:\s*var\((--rtu-[\w-]+),\s*(.+)\);/g),
].map(([, name = '', fallback = '']) => {
  const themed = /^light-dark\(([^,]+),\s*([^)]+)\)$/.exec(fallback.trim());
  return themed ? { name, light: themed[1]!, dark: themed[2]! } : { name, light: fallback.trim() };
});

/** An example file's source as an app writes it: imports by the package's name, not this repository's paths. */
export function asPublished(source: string): string {
  return source
    .replace(/(['"])(?:\.\.\/)+src\/core\1/g, "'react-thumbnail-uploader/core'")
    .replace(/(['"])(?:\.\.\/)+src\/testing\1/g, "'react-thumbnail-uploader/testing'")
    .replace(/(['"])(?:\.\.\/)+src\1/g, "'react-thumbnail-uploader'");
}
