import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureBundle, measureWithVite, stylesheetGzip, type BundleFigure } from '../sizes';
import { kB, missing, REPO, type Context, type SectionResult } from '../support';
import { goals, row } from '../table';

export async function sizes({ work }: Pick<Context, 'work'>): Promise<SectionResult> {
  const sizesDir = join(work, 'sizes');
  const nodeModules = join(REPO, 'node_modules');
  // Resolved like an app resolves them: through package.json's `exports`, to dist/.
  const widgetEntry = fileURLToPath(import.meta.resolve('react-thumbnail-uploader'));
  const coreEntry = fileURLToPath(import.meta.resolve('react-thumbnail-uploader/core'));
  const testingEntry = fileURLToPath(import.meta.resolve('react-thumbnail-uploader/testing'));
  const widget = `export { UploaderProvider, ThumbnailUploader } from ${JSON.stringify(widgetEntry)};\n`;
  // As .size-limit.cjs explains: an app using core without React imports uploadThumbnail.
  const specs = {
    widget: { name: 'widget all-in', entry: widget },
    own: { name: 'widget own code', entry: widget, external: ['react-dropzone', 'file-selector', 'hash-wasm'] },
    core: { name: 'core uploadThumbnail', entry: `export { uploadThumbnail } from ${JSON.stringify(coreEntry)};\n` },
    coreAll: { name: 'core entry', entry: `export * from ${JSON.stringify(coreEntry)};\n` },
    uploady: {
      name: 'react-uploady',
      entry: [
        "export { default as Uploady } from '@rpldy/uploady';",
        "export { default as UploadDropZone } from '@rpldy/upload-drop-zone';",
        "export { default as UploadPreview } from '@rpldy/upload-preview';",
        "export { default as UploadButton } from '@rpldy/upload-button';",
      ].join('\n'),
    },
    filepond: { name: 'filepond', entry: "export { FilePond } from 'react-filepond';\n" },
    uppy: {
      name: 'uppy',
      entry: [
        "export { default as Uppy } from '@uppy/core';",
        "export { default as Dashboard } from '@uppy/react/dashboard';",
        "export { default as XHRUpload } from '@uppy/xhr-upload';",
      ].join('\n'),
    },
    testing: {
      name: 'testing mockUploadApi',
      entry: `export { mockUploadApi } from ${JSON.stringify(testingEntry)};\n`,
      external: ['msw'],
    },
    attachment: {
      name: 'attachment uploader',
      entry: `export { UploaderProvider, AttachmentUploader } from ${JSON.stringify(widgetEntry)};\n`,
    },
  };
  const figures: Record<string, BundleFigure> = {};
  for (const [key, spec] of Object.entries(specs)) figures[key] = await measureBundle(spec, sizesDir, nodeModules);
  const coreWithVite = await measureWithVite(specs.core, sizesDir);
  const css = {
    ours: await stylesheetGzip([join(REPO, 'dist/styles.css')]),
    filepond: await stylesheetGzip([join(nodeModules, 'filepond/dist/filepond.css')]),
    uppy: await stylesheetGzip([
      join(nodeModules, '@uppy/core/dist/style.css'),
      join(nodeModules, '@uppy/dashboard/dist/style.css'),
    ]),
  };
  const {
    widget: all,
    own,
    core,
    coreAll,
    uploady,
    filepond,
    uppy,
    attachment,
    testing,
  } = figures as Record<keyof typeof specs, BundleFigure>;
  const section = 'bundle size, min + gzip, React / react-dom / react-query excluded';
  const allInWhat = 'Widget all-in: our code + react-dropzone';
  const cssNote =
    `Stylesheets, min + gzip, not in the figures: ours ${(css.ours / 1000).toFixed(2)} kB, react-uploady none (unstyled), ` +
    `FilePond ${(css.filepond / 1000).toFixed(2)} kB, Uppy (core + dashboard) ${(css.uppy / 1000).toFixed(2)} kB.`;
  const rows = [
    row(
      section,
      allInWhat,
      'react-uploady',
      kB(all.staticGzip),
      kB(uploady.staticGzip),
      goals.both(goals.oursAtMost(10, 'kB'), goals.ratioAtMost(0.66)),
      cssNote,
    ),
    row(section, allInWhat, 'FilePond + react-filepond', kB(all.staticGzip), kB(filepond.staticGzip)),
    row(section, allInWhat, 'Uppy core + React Dashboard + xhr-upload', kB(all.staticGzip), kB(uppy.staticGzip)),
    row(
      section,
      'Widget, our own code (dist/index.js + chunks)',
      '',
      kB(own.staticGzip),
      missing('—'),
      goals.oursAtMost(4, 'kB'),
    ),
    row(
      section,
      'core: uploadThumbnail (dist/core.js + chunks)',
      '',
      kB(core.staticGzip),
      missing('—'),
      goals.oursAtMost(3, 'kB'),
      `What an app using core without React imports. All of core (export *, uploadMedia included): ${(coreAll.staticGzip / 1000).toFixed(2)} kB.`,
    ),
    row(section, 'UploaderProvider + AttachmentUploader, all-in', '', kB(attachment.staticGzip), missing('—')),
    row(
      section,
      'testing: mockUploadApi (dist/testing.js, msw left out)',
      '',
      kB(testing.staticGzip),
      missing('—'),
      undefined,
      "For an app's tests and stories; no widget entry imports it, so it is in none of the figures above.",
    ),
    row(
      section,
      'Loaded lazily: MD5 (hash-wasm, slice reader) + image pipeline',
      '',
      kB(coreAll.lazyGzip - coreAll.pdfGzip - coreAll.heicGzip),
      missing('—'),
      undefined,
      `Counted apart: loaded when the first image is sent (the video frame and the generated picture when first needed). ` +
        `Bundled by Vite instead of esbuild: ${((coreWithVite.lazyGzip - coreWithVite.pdfGzip - coreWithVite.heicGzip) / 1000).toFixed(2)} kB lazy, ` +
        `uploadThumbnail ${(coreWithVite.staticGzip / 1000).toFixed(2)} kB.`,
    ),
    row(
      section,
      'Loaded lazily when a PDF is attached: pdf.js + its worker',
      '',
      kB(attachment.pdfGzip),
      missing('—'),
      undefined,
      'Counted apart from the AttachmentUploader: a page that never attaches a PDF never loads it.',
    ),
    row(
      section,
      'Loaded lazily when a HEIC photo is chosen where the browser cannot decode it: libheif (LGPL-3.0, WebAssembly inlined)',
      '',
      kB(all.heicGzip),
      missing('—'),
      undefined,
      `Counted apart from the widget: loaded only for a HEIC photo outside Safari (or never, with heic: false). ` +
        `Bundled by Vite instead of esbuild: ${(coreWithVite.heicGzip / 1000).toFixed(2)} kB.`,
    ),
  ];
  return { rows, details: { bundles: figures, coreWithVite, stylesheetsGzip: css } };
}
