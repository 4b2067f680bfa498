/// <reference types="vite/client" />
import { UploadError, abortedError, detailedError } from './errors';
import {
  DamagedImageError,
  IMAGE_WORKER_NAME,
  decodeAtSize,
  drawScaled,
  encodeOffscreen,
  type EncodeAnswer,
  type EncodeJob,
} from './image.worker';
// Vite bundles the worker and inlines it in the library as a string started from a blob: URL. Unlike a
// `new URL('./image.worker.ts', import.meta.url)` worker, whose file an app's bundler or dev server
// does not follow into a dependency, it works wherever the package is installed.
import ImageWorker from './image.worker?worker&inline';
import { DEFAULT_MAX_DIMENSION, DEFAULT_QUALITY, type PrepareImageOptions } from './prepare';
import { SNIFF_BYTES, sniffImageType, type ImageType } from './sniff';
import { isHeif, knowType } from './validate';

/** Types that go as they are when small enough and upright: every browser shows them. */
const SENT_AS_IS: ReadonlySet<ImageType> = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

/** BMP and AVIF become PNG: lossless, and it keeps any transparency. A HEIC photo becomes a JPEG, as photos are. */
const ENCODED_AS: Record<ImageType, string> = {
  'image/png': 'image/png',
  'image/jpeg': 'image/jpeg',
  'image/webp': 'image/webp',
  'image/bmp': 'image/png',
  'image/avif': 'image/png',
  'image/heic': 'image/jpeg',
  'image/heif': 'image/jpeg',
  'image/gif': 'image/gif', // never encoded: GIFs go as they are
};

/** Extensions a name may already have for a type; the first is given when it has none of them. */
const EXTENSIONS: Record<string, readonly string[]> = {
  'image/png': ['png'],
  'image/jpeg': ['jpg', 'jpeg', 'jpe', 'jfif'],
  'image/webp': ['webp'],
};

/**
 * Enough of the file for its type, its size and a JPEG's EXIF orientation. JPEG metadata (EXIF, ICC
 * profile, XMP: up to 64 KiB each) comes before the frame header that gives the size.
 */
const HEAD_BYTES = 256 * 1024;

/**
 * The image as it should be sent: turned upright by its EXIF orientation, scaled down so that its
 * longest side is at most `maxDimension`, and encoded again, decoded once on the way (which proves it
 * is whole); or the very same File when none of that is needed. The size is read from the header, so
 * that a large photo is decoded straight at about the size sent, in a worker. GIFs always go as they
 * are (they may be animated). Without createImageBitmap (jsdom, Node) the file goes as it is, unchecked.
 */
export async function prepareImage(file: File, options: PrepareImageOptions = {}): Promise<File> {
  const { maxDimension = DEFAULT_MAX_DIMENSION, quality = DEFAULT_QUALITY, signal } = options;
  throwIfAborted(signal);
  if (typeof createImageBitmap !== 'function') return file;
  // Made (or checked) here already, as an attachment's thumbnail is before it is sent: not decoded again.
  if ((prepared.get(file) ?? Infinity) <= maxDimension) return file;
  const head = new Uint8Array(await file.slice(0, HEAD_BYTES).arrayBuffer());
  const type = sniffImageType(head);
  const orientation = type === 'image/jpeg' ? jpegOrientation(head) : 1;
  const stored = type && storedSize(head, type);
  let source: File | ImageBitmap = file;
  // Upright size: orientations 5 to 8 turn the picture a quarter.
  let size = stored && (orientation >= 5 ? { width: stored.height, height: stored.width } : stored);
  if (!size) {
    // A header this does not read (AVIF, HEIC, odd JPEGs): decoded whole on the page to learn the size.
    source = isHeif(type) ? await decodeHeif(file, options.heic) : await decode(file);
    size = source;
  }
  const longest = Math.max(size.width, size.height);
  const canEncode = typeof OffscreenCanvas === 'function' || typeof document !== 'undefined';
  // A type sniffing does not know is left alone: uploadThumbnail has refused it before, in validate.
  const asIs =
    !type ||
    type === 'image/gif' ||
    !canEncode ||
    (SENT_AS_IS.has(type) && orientation === 1 && longest <= maxDimension);
  let work: Promise<ImageBitmap | Blob>;
  let sentLongest = longest;
  if (asIs) work = source instanceof ImageBitmap ? Promise.resolve(source) : decode(file);
  else {
    if (signal?.aborted) {
      if (source instanceof ImageBitmap) source.close();
      throw abortedError(signal.reason);
    }
    const scale = Math.min(1, maxDimension / longest);
    const job: EncodeJob = {
      source,
      width: Math.max(1, Math.round(size.width * scale)),
      height: Math.max(1, Math.round(size.height * scale)),
      ...(type === 'image/jpeg' && stored && source === file ? { jpeg: { ...stored, orientation } } : {}),
      type: ENCODED_AS[type],
      quality,
    };
    sentLongest = Math.max(job.width, job.height);
    work = encode(job, file, signal);
  }
  // Firefox and WebKit decode a PNG or JPEG cut short without a complaint, the missing rows left
  // blank: the bytes must show their end (Chromium refuses it as it decodes). They are looked for
  // while the image is decoded (once all the same when it goes as it is, to prove that it is whole).
  const [ends, made] = await Promise.allSettled([type ? cutShort(file, type, head) : false, work]);
  if (made.status === 'fulfilled' && made.value instanceof ImageBitmap) made.value.close();
  if (ends.status === 'rejected') throw ends.reason;
  if (ends.value) throw damaged(new Error(`The ${type} ends before its last bytes.`));
  if (made.status === 'rejected') throw made.reason;
  throwIfAborted(signal);
  if (asIs) {
    prepared.set(file, longest);
    if (type) knowType(file, type);
    return file;
  }
  const blob = made.value as Blob;
  // What the bytes are, not what the encoder was asked for: WebKit encodes PNG when asked for WebP, and
  // may label it either way. The name, the type and so `qqfiletype` follow the bytes sent.
  const sniffed = sniffImageType(new Uint8Array(await blob.slice(0, SNIFF_BYTES).arrayBuffer()));
  const produced = sniffed ?? blob.type;
  const result = new File([blob], nameFor(file.name, produced), { type: produced, lastModified: file.lastModified });
  prepared.set(result, sentLongest);
  if (sniffed) knowType(result, sniffed);
  return result;
}

/**
 * The longest side of each file this module made or checked whole and upright; a File's bytes never
 * change, so such a file is sent as it is, undecoded, for any `maxDimension` at least that.
 */
const prepared = new WeakMap<File, number>();

/** What cutShort reads at once: a photo's structure is checked without holding it whole, in small tasks. */
const WINDOW_BYTES = 256 * 1024;

/**
 * Whether the file stops before the end its own structure announces: a PNG without its IEND chunk
 * (or whose chunks run past the end), a JPEG with no end-of-image marker after its first scan, a WebP
 * shorter than its RIFF header says. Bytes after the end (some apps append data) are allowed.
 */
async function cutShort(file: Blob, type: ImageType, head: Uint8Array): Promise<boolean> {
  if (type !== 'image/png' && type !== 'image/jpeg' && type !== 'image/webp') return false;
  const read = windowOf(file, head);
  if (type === 'image/webp') {
    const header = await read(0, 8);
    return header.byteLength < 8 || file.size < 8 + header.getUint32(4, true);
  }
  if (type === 'image/png') {
    for (let at = 8; at + 8 <= file.size;) {
      const chunk = await read(at, 8);
      // IEND is the last chunk: length 0, then its CRC.
      if (chunk.getUint32(4) === 0x49454e44) return at + 12 > file.size;
      at += 12 + chunk.getUint32(0);
    }
    return true;
  }
  // JPEG: the segments up to the first start of scan (SOS, FF DA), then an end of image (FF D9) after it.
  // Entropy-coded data never holds FF D9 (an FF in it is followed by 00 or a restart marker), and an
  // EXIF thumbnail's own FF D9 comes before the scan.
  let at = 2;
  for (;;) {
    const segment = await read(at, 4);
    if (segment.byteLength < 4 || segment.getUint8(0) !== 0xff) return true;
    if (segment.getUint8(1) === 0xda) break;
    at += 2 + segment.getUint16(2);
  }
  // From the end, where it nearly always is, a window at a time (each overlapping the next by a byte).
  for (let end = file.size; ;) {
    const from = Math.max(at, end - WINDOW_BYTES);
    const view = await read(from, end - from);
    const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
    for (let i = bytes.length - 2; i >= 0; i -= 1) if (bytes[i] === 0xff && bytes[i + 1] === 0xd9) return false;
    if (from === at) return true;
    end = from + 1;
  }
}

/**
 * Reads `length` bytes at `at` (fewer past the end), a window of the file at a time; the first
 * window is the head prepareImage read already.
 */
function windowOf(file: Blob, head: Uint8Array): (at: number, length: number) => Promise<DataView> {
  let start = 0;
  let window = head;
  return async (at, length) => {
    if (at < start || at + length > start + window.length) {
      start = at;
      window = new Uint8Array(await file.slice(at, at + Math.max(length, WINDOW_BYTES)).arrayBuffer());
    }
    return new DataView(window.buffer, at - start, Math.max(0, Math.min(length, window.length - (at - start))));
  };
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortedError(signal.reason);
}

/** `from-image` applies the EXIF orientation here, once: what is encoded from the bitmap carries none. */
async function decode(file: Blob): Promise<ImageBitmap> {
  try {
    return await createImageBitmap(file, { imageOrientation: 'from-image' });
  } catch (cause) {
    throw damaged(cause);
  }
}

/** The English sentence of `heic-unsupported`: the default labels show the error's message (see labels.ts). */
const HEIC_UNSUPPORTED =
  'This browser cannot read HEIC photos. Save the photo as a JPEG first (on an iPhone: Settings › Camera › Formats › Most Compatible), or open this page in Safari.';

/**
 * A HEIC/HEIF photo, upright: by the browser where it can (Safari), else by libheif, loaded now (see
 * heic.ts), unless the app turned that off. Its `irot` box turns it; its EXIF orientation, which an
 * iPhone writes too, says the same and is not applied again.
 */
async function decodeHeif(file: File, heic: false | undefined): Promise<ImageBitmap> {
  try {
    return await createImageBitmap(file, { imageOrientation: 'from-image' });
  } catch (cause) {
    if (heic === false) {
      const details = { reason: 'heic-unsupported', fileName: file.name } as const;
      throw new UploadError('invalid-file', HEIC_UNSUPPORTED, { cause, details });
    }
  }
  const { decodeHeic } = await import('./heic');
  return decodeHeic(file).catch((cause: unknown) => Promise.reject(damaged(cause)));
}

const damaged = (cause: unknown) => detailedError('invalid-file', { reason: 'damaged' }, { cause });

async function encode(job: EncodeJob, file: File, signal: AbortSignal | undefined): Promise<Blob> {
  let pageJob = job;
  if (typeof Worker === 'function' && typeof OffscreenCanvas === 'function') {
    try {
      return await encodeInWorker(job, signal);
    } catch (error) {
      if (signal?.aborted) throw abortedError(signal.reason);
      if (error instanceof UploadError) throw error;
      // A page whose CSP forbids blob: workers, or a worker without a 2D OffscreenCanvas: the page does
      // the work. A bitmap may have gone to the worker (closing it then does nothing): decode again.
      if (!(job.source instanceof Blob)) {
        job.source.close();
        pageJob = { ...job, source: await decode(file) };
      }
    }
  }
  try {
    return await encodeOnPage(pageJob);
  } catch (cause) {
    if (cause instanceof DamagedImageError) throw damaged(cause);
    throw detailedError('invalid-file', { reason: 'unpreparable' }, { cause });
  }
}

/** How long a worker that answered waits for the next image before it ends: starting one costs tens of ms. */
export const IDLE_WORKER_MS = 1000;
/**
 * Workers kept waiting: as many as limiter.ts's line makes thumbnails at once (not imported: this lazy
 * module would pull the limiter into bundles that never make a thumbnail).
 */
const KEPT_WORKERS = 2;
/** Workers waiting for an image, each with its timer. */
const idleWorkers = new Map<Worker, ReturnType<typeof setTimeout>>();

/** Ends the workers waiting for an image (tests start each from none). */
export function endIdleWorkers(): void {
  for (const [worker, timer] of idleWorkers) {
    clearTimeout(timer);
    worker.terminate();
  }
  idleWorkers.clear();
}

function takeWorker(): Worker {
  for (const [worker, timer] of idleWorkers) {
    clearTimeout(timer);
    idleWorkers.delete(worker);
    return worker;
  }
  return new ImageWorker({ name: IMAGE_WORKER_NAME });
}

function keepWorker(worker: Worker): void {
  if (idleWorkers.size >= KEPT_WORKERS) return worker.terminate();
  const end = () => {
    idleWorkers.delete(worker);
    worker.terminate();
  };
  idleWorkers.set(worker, setTimeout(end, IDLE_WORKER_MS));
}

/**
 * A worker per image at a time: one that answered serves the next image (30 photos dropped at once
 * start two workers, not thirty) and ends once idle for IDLE_WORKER_MS; one whose upload is
 * cancelled, or that failed, ends at once.
 */
function encodeInWorker(job: EncodeJob, signal: AbortSignal | undefined): Promise<Blob> {
  return new Promise((resolve, reject) => {
    const worker = takeWorker();
    const stop = () => {
      worker.terminate();
      signal?.removeEventListener('abort', onAbort);
    };
    const onAbort = () => {
      stop();
      reject(abortedError(signal?.reason));
    };
    signal?.addEventListener('abort', onAbort);
    worker.onmessage = ({ data }: MessageEvent<EncodeAnswer>) => {
      signal?.removeEventListener('abort', onAbort);
      keepWorker(worker);
      if ('blob' in data) resolve(data.blob);
      else reject(data.damaged ? damaged(data.error) : new Error(data.error));
    };
    worker.onerror = (event) => {
      stop();
      reject(new Error(event.message || 'The image worker did not start.'));
    };
    worker.postMessage(job, job.source instanceof Blob ? [] : [job.source]);
  });
}

async function encodeOnPage(job: EncodeJob): Promise<Blob> {
  if (typeof OffscreenCanvas === 'function') return encodeOffscreen(job);
  const image = await decodeAtSize(job);
  const canvas = document.createElement('canvas');
  canvas.width = job.width;
  canvas.height = job.height;
  const context = canvas.getContext('2d');
  if (!context) {
    image.close();
    throw new Error('This browser has no 2D canvas.');
  }
  drawScaled(context, image, job);
  return new Promise((resolve, reject) =>
    canvas.toBlob(
      (blob) => (blob ? resolve(blob) : reject(new Error('The canvas could not encode the image.'))),
      job.type,
      job.quality,
    ),
  );
}

/** The name with the extension of the type actually encoded: `photo.bmp` becomes `photo.png`. */
function nameFor(name: string, type: string): string {
  const dot = name.lastIndexOf('.');
  const base = dot > 0 ? name.slice(0, dot) : name;
  const extension = dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
  const extensions = EXTENSIONS[type] ?? [type.replace(/^image\//, '')];
  return extensions.includes(extension) ? name : `${base || 'thumbnail'}.${extensions[0]}`;
}

/**
 * The EXIF orientation (1 to 8) of a JPEG, from the TIFF header in its APP1 segment; 1 when there is
 * none. Only JPEG is read: it is what cameras and phones write orientation into.
 */
function jpegOrientation(bytes: Uint8Array): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const exif = [0x45, 0x78, 0x69, 0x66, 0, 0]; // "Exif\0\0"
  for (let at = 2; at + 4 <= bytes.length && bytes[at] === 0xff;) {
    const marker = view.getUint8(at + 1);
    // Metadata comes before the image data (start of scan) or the end of the image.
    if (marker === 0xda || marker === 0xd9) break;
    const length = view.getUint16(at + 2);
    if (marker === 0xe1 && exif.every((byte, i) => bytes[at + 4 + i] === byte)) {
      return tiffOrientation(view, at + 10, Math.min(at + 2 + length, bytes.length));
    }
    at += 2 + length;
  }
  return 1;
}

function tiffOrientation(view: DataView, tiff: number, end: number): number {
  if (tiff + 8 > end) return 1;
  const little = view.getUint16(tiff) === 0x4949; // "II": Intel byte order; "MM" is Motorola
  const ifd = tiff + view.getUint32(tiff + 4, little);
  if (ifd + 2 > end) return 1;
  const entries = view.getUint16(ifd, little);
  for (let i = 0; i < entries; i += 1) {
    const entry = ifd + 2 + i * 12;
    if (entry + 12 > end) break;
    // Tag 0x0112 is Orientation, a SHORT whose value sits in the entry itself.
    if (view.getUint16(entry, little) !== 0x0112) continue;
    const orientation = view.getUint16(entry + 8, little);
    // Browsers ignore a value out of range, and so does this.
    return orientation >= 1 && orientation <= 8 ? orientation : 1;
  }
  return 1;
}

/**
 * Width and height as stored, from the header: PNG's IHDR, a JPEG's frame header (SOF), WebP's VP8,
 * VP8L or VP8X chunk, BMP's info header. `undefined` for AVIF and whatever this cannot read.
 */
function storedSize(bytes: Uint8Array, type: ImageType): { width: number; height: number } | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = (width: number, height: number) => (width > 0 && height > 0 ? { width, height } : undefined);
  try {
    if (type === 'image/png') return size(view.getUint32(16), view.getUint32(20));
    if (type === 'image/bmp') return size(Math.abs(view.getInt32(18, true)), Math.abs(view.getInt32(22, true)));
    if (type === 'image/webp') {
      const chunk = String.fromCharCode(...bytes.subarray(12, 16));
      if (chunk === 'VP8 ') return size(view.getUint16(26, true) & 0x3fff, view.getUint16(28, true) & 0x3fff);
      if (chunk === 'VP8L') {
        const bits = view.getUint32(21, true);
        return size((bits & 0x3fff) + 1, ((bits >> 14) & 0x3fff) + 1);
      }
      if (chunk === 'VP8X') {
        const u24 = (at: number) => view.getUint16(at, true) + (view.getUint8(at + 2) << 16);
        return size(u24(24) + 1, u24(27) + 1);
      }
    }
    if (type === 'image/jpeg') {
      for (let at = 2; at + 9 <= bytes.length && bytes[at] === 0xff; at += 2 + view.getUint16(at + 2)) {
        const marker = view.getUint8(at + 1);
        // Start of frame: every SOFn but DHT (C4), JPG (C8) and DAC (CC).
        if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc)
          return size(view.getUint16(at + 7), view.getUint16(at + 5));
        if (marker === 0xda || marker === 0xd9) break;
      }
    }
  } catch {
    // A header cut short: its size is learnt by decoding it.
  }
  return undefined;
}
