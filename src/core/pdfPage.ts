/**
 * The first page of a PDF, rendered by pdf.js (Apache-2.0, © Mozilla Foundation) for its thumbnail.
 *
 * How pdf.js ships: bundled into this library's own lazy chunks, never an import an app's bundler
 * must resolve. attachment.ts imports this module with `import()` only once a file's bytes say PDF,
 * so a page that never attaches one loads none of it. pdf.js's worker is embedded as a string
 * (`?raw`, byte for byte pdf.js's own minified worker) and started from a blob: URL, as the image
 * worker is. The usual `new Worker(new URL('pdfjs-dist/build/pdf.worker.mjs', import.meta.url))`
 * works only where the app's bundler follows it into a dependency (webpack 5, a Vite build): Vite's
 * dev pre-bundling (Storybook, an app's dev server) moves the module away from the worker file, and
 * esbuild leaves the URL as it is. An external `pdfjs-dist` could also resolve, in an app, to another
 * version than the worker's, which pdf.js refuses. The legacy build: it carries the polyfills that
 * pdf.js 6 needs in browsers older than this year's (Firefox ESR, Safari before 26).
 */
import { getDocument, PDFWorker, VerbosityLevel } from 'pdfjs-dist/legacy/build/pdf.mjs';
import workerSource from 'pdfjs-dist/legacy/build/pdf.worker.min.mjs?raw';
import { abortedError } from './errors';

export interface RenderPdfPageOptions {
  /** Longest side of the picture, in pixels: the page is scaled to it, up or down (it is vector). */
  maxDimension: number;
  /** JPEG quality, 0 to 1. */
  quality: number;
  signal?: AbortSignal;
  /** A page still not drawn after this is given up (a huge or hostile file must not hold a place for ever). */
  deadlineMs?: number;
}

const DEADLINE_MS = 20_000;

/**
 * Page 1 of the PDF as a JPEG, its longest side `maxDimension`. Rejects when pdf.js cannot open or draw
 * it (damaged, encrypted with a password), past the deadline, or when the signal aborts; the worker
 * ends in every case.
 */
export async function renderPdfPage(file: Blob, options: RenderPdfPageOptions): Promise<Blob> {
  const { maxDimension, quality, signal, deadlineMs = DEADLINE_MS } = options;
  const data = new Uint8Array(await file.arrayBuffer());
  if (signal?.aborted) throw abortedError(signal.reason);
  // One worker per document, ended once its page is drawn: nothing stays in memory between PDFs.
  const url = URL.createObjectURL(new Blob([workerSource], { type: 'text/javascript' }));
  let worker: Worker;
  try {
    worker = new Worker(url, { type: 'module', name: 'react-thumbnail-uploader:pdf' });
  } finally {
    URL.revokeObjectURL(url);
  }
  // Given its port, pdf.js uses this worker or none: it never falls back to parsing on the page.
  const pdfWorker = PDFWorker.create({ port: worker, verbosity: VerbosityLevel.ERRORS });
  const loading = getDocument({ data, worker: pdfWorker, verbosity: VerbosityLevel.ERRORS });
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stop: () => void = () => undefined;
  const stopped = new Promise<never>((_, reject) => {
    stop = () => reject(signal?.aborted ? abortedError(signal.reason) : new Error('The PDF took too long to draw.'));
    timer = setTimeout(stop, deadlineMs);
    signal?.addEventListener('abort', stop);
  });
  try {
    const render = async () => {
      const document = await loading.promise;
      const page = await document.getPage(1);
      const unscaled = page.getViewport({ scale: 1 });
      const viewport = page.getViewport({ scale: maxDimension / Math.max(unscaled.width, unscaled.height) });
      const canvas = new OffscreenCanvas(
        Math.max(1, Math.round(viewport.width)),
        Math.max(1, Math.round(viewport.height)),
      );
      // pdf.js draws on the page's thread in slices of a few milliseconds, one per animation frame.
      await page.render({ canvas: canvas as unknown as HTMLCanvasElement, viewport }).promise;
      return canvas.convertToBlob({ type: 'image/jpeg', quality });
    };
    return await Promise.race([render(), stopped]);
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', stop);
    // Ended at once, not awaited: a worker stuck in a hostile file would never answer a polite goodbye.
    // Destroying the document cancels a render still under way on the page.
    worker.terminate();
    void loading.destroy().catch(() => undefined);
    pdfWorker.destroy();
  }
}
