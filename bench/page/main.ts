/**
 * The page `npm run bench` drives in Chromium: every measurement that must run in a browser, exposed
 * as `window.bench`. Ours comes from the built package (`./builtCore.js`); the baseline from
 * `./baseline.ts`. Times are taken here with `performance.now()`, never across the CDP round trip.
 */
import { createMD5, updateInPieces } from '../../src/core/hashWasmMd5';
import { prepareWithCanvas, postMultipart, sparkMd5Hex } from './baseline';
import { core } from './builtCore.js';
import type { ComposerTarget } from './composer';
import type { QueueFigure, QueueMethod, QueueStatus } from './queue';

export type Method = 'ours' | 'baseline';

export interface UploadTarget {
  baseUrl: string;
  token: string;
  parentUuid: string;
}

export interface ImageSpec {
  name: string;
  width: number;
  height: number;
  type: 'image/jpeg' | 'image/png';
  /** Transparent areas (PNG only). */
  alpha: boolean;
  quality: number;
  /** Of the picture's random colour fields and grain, so that several photos differ. */
  seed?: number;
}

export interface PreparedFigure {
  ms: number;
  /** Of the output as a browser shows it (EXIF orientation applied). */
  width: number;
  height: number;
  bytes: number;
  type: string;
}

export interface BlockingFigure {
  longestTaskMs: number;
  /** Sum over long tasks of their time beyond 50 ms. */
  totalBlockingMs: number;
  longTasks: number;
  wallMs: number;
  /** Of the upload the server stored, to read back how many bytes were sent. */
  fileUuid: string;
}

export interface MediaUploadFigure {
  /** The whole `uploadMedia` call: MD5 and every request. */
  ms: number;
  fileUuid: string;
  requests: number;
}

export interface UploadFigure {
  /** From `xhr.send()` to the resolved answer: the transfer and the server's work. */
  sendToAnswerMs: number;
  /** The whole `uploadThumbnail` call: checks, MD5 and transfer. */
  wholeMs: number;
  progressEvents: number;
  fileUuid: string;
}

/** Slices of 4 MiB, as src/core/md5.ts reads them. */
const SLICE_BYTES = 4 * 1024 * 1024;
const LONG_TASK_MS = 50;
const EXTENSIONS: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'image/avif': 'avif',
};

// Every `send()` is stamped, so an upload is timed from the moment its bytes start to leave.
const sendTimes: number[] = [];
const originalSend = XMLHttpRequest.prototype.send;
XMLHttpRequest.prototype.send = function send(this: XMLHttpRequest, body?: Document | XMLHttpRequestBodyInit | null) {
  sendTimes.push(performance.now());
  return originalSend.call(this, body);
};

const fixtures = new Map<string, File>();
// The React page of the `queue` section, loaded only when it runs: no other section pays for it.
const queuePage = () => import('./queue').then((module) => module.queueBench);
/** The last output of each method for each fixture, to compare them. */
const lastPrepared = new Map<string, Blob>();

/**
 * A fixture as a File of its own each time, on the same bytes: the library keeps what it learnt of a
 * File (its MD5, that it was prepared already), and a second run on the same object would measure that.
 */
async function fixture(name: string): Promise<File> {
  const known = fixtures.get(name);
  if (known) return new File([known], known.name, { type: known.type, lastModified: known.lastModified });
  const answer = await fetch(`/fixtures/${encodeURIComponent(name)}`, { cache: 'no-store' });
  if (!answer.ok) throw new Error(`No fixture ${name}: HTTP ${answer.status}`);
  const blob = await answer.blob();
  const file = new File([blob], name, { type: answer.headers.get('Content-Type') ?? '' });
  fixtures.set(name, file);
  return file;
}

function prepare(method: Method, file: File, maxDimension: number, quality: number): Promise<Blob> {
  if (method === 'baseline') return prepareWithCanvas(file, maxDimension, quality);
  // A signal, as uploadThumbnail passes one, so that ours pays for watching it.
  return core.prepareImage(file, { maxDimension, quality, signal: new AbortController().signal });
}

async function shownSize(blob: Blob): Promise<{ width: number; height: number }> {
  const bitmap = await createImageBitmap(blob);
  const size = { width: bitmap.width, height: bitmap.height };
  bitmap.close();
  return size;
}

const nextFrame = () => new Promise<void>((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A photo-like picture: smooth colour fields, fine grain and a caption; about 0.39 bytes a pixel as JPEG q0.9. */
function paint(spec: ImageSpec): HTMLCanvasElement {
  const { width, height } = spec;
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext('2d');
  if (!context) throw new Error('No 2D canvas context');
  let seed = spec.seed ?? 12345;
  const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296;
  const low = new OffscreenCanvas(Math.ceil(width / 16), Math.ceil(height / 16));
  const lowPixels = new ImageData(low.width, low.height);
  for (let i = 0; i < lowPixels.data.length; i += 4) {
    lowPixels.data.set([40 + random() * 180, 40 + random() * 180, 40 + random() * 180, 255], i);
  }
  low.getContext('2d')!.putImageData(lowPixels, 0, 0);
  context.imageSmoothingQuality = 'high';
  context.drawImage(low, 0, 0, width, height);
  const grain = new OffscreenCanvas(256, 256);
  const grainPixels = new ImageData(256, 256);
  for (let i = 0; i < grainPixels.data.length; i += 4) {
    const value = random() * 255;
    grainPixels.data.set([value, value, value, 255], i);
  }
  grain.getContext('2d')!.putImageData(grainPixels, 0, 0);
  context.globalAlpha = 0.12;
  context.fillStyle = context.createPattern(grain, 'repeat')!;
  context.fillRect(0, 0, width, height);
  context.globalAlpha = 1;
  context.fillStyle = '#fff';
  context.font = `bold ${Math.round(height / 6)}px sans-serif`;
  context.fillText(`${width}×${height}`, width / 10, height / 2);
  if (spec.alpha) {
    context.clearRect(0, 0, width / 4, height / 4);
    context.globalCompositeOperation = 'destination-out';
    const fade = context.createLinearGradient(0, 0, width, 0);
    fade.addColorStop(0, 'rgba(0,0,0,0)');
    fade.addColorStop(1, 'rgba(0,0,0,0.7)');
    context.fillStyle = fade;
    context.fillRect(0, height / 2, width, height / 2);
    context.globalCompositeOperation = 'source-over';
  }
  return canvas;
}

export const bench = {
  /** Paints and encodes an image, and stores it on the bench server as `raw/<name>` (Node adds EXIF). */
  async generateImage(spec: ImageSpec): Promise<number> {
    const canvas = paint(spec);
    const blob = await new Promise<Blob>((resolve, reject) =>
      canvas.toBlob(
        (made) => (made ? resolve(made) : reject(new Error(`Could not encode ${spec.name}`))),
        spec.type,
        spec.quality,
      ),
    );
    canvas.width = 0;
    const stored = await fetch(`/fixtures/raw/${encodeURIComponent(spec.name)}`, { method: 'PUT', body: blob });
    if (!stored.ok) throw new Error(`Could not store ${spec.name}: HTTP ${stored.status}`);
    return blob.size;
  },

  /** Fetches a fixture into memory beforehand, so that no measurement includes it. */
  async loadFixture(name: string): Promise<number> {
    return (await fixture(name)).size;
  },

  /** One resize of a fixture to `maxDimension`, timed from the call to the encoded blob. */
  async prepare(method: Method, name: string, maxDimension: number, quality: number): Promise<PreparedFigure> {
    const file = await fixture(name);
    await nextFrame();
    const start = performance.now();
    const blob = await prepare(method, file, maxDimension, quality);
    const ms = performance.now() - start;
    lastPrepared.set(`${method}:${name}`, blob);
    return { ms, ...(await shownSize(blob)), bytes: blob.size, type: blob.type };
  },

  /**
   * How far apart the last outputs of ours and the baseline for a fixture are, as a browser shows
   * them: the mean absolute difference per colour channel (0 to 255), and the share of pixels where
   * some channel differs by more than 16. `undefined` when their sizes differ.
   */
  async outputDifference(name: string): Promise<{ meanAbsolute: number; over16: number } | undefined> {
    const [ours, baseline] = await Promise.all(
      (['ours', 'baseline'] as const).map(async (method) => {
        const blob = lastPrepared.get(`${method}:${name}`);
        if (!blob) throw new Error(`No ${method} output of ${name} yet`);
        const bitmap = await createImageBitmap(blob);
        const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
        const context = canvas.getContext('2d')!;
        context.drawImage(bitmap, 0, 0);
        bitmap.close();
        return context.getImageData(0, 0, canvas.width, canvas.height);
      }),
    );
    if (ours!.width !== baseline!.width || ours!.height !== baseline!.height) return undefined;
    let sum = 0;
    let over16 = 0;
    for (let i = 0; i < ours!.data.length; i += 4) {
      let worst = 0;
      for (let channel = 0; channel < 3; channel += 1) {
        const difference = Math.abs(ours!.data[i + channel]! - baseline!.data[i + channel]!);
        sum += difference;
        worst = Math.max(worst, difference);
      }
      if (worst > 16) over16 += 1;
    }
    const pixels = ours!.data.length / 4;
    return { meanAbsolute: sum / (pixels * 3), over16: over16 / pixels };
  },

  /**
   * Prepares and uploads a fixture while long tasks of this page's main thread are recorded: ours is
   * the built `uploadThumbnail` given the original (it checks, prepares, hashes and sends, as the
   * widget does); the baseline is the canvas, spark-md5 and a plain XHR.
   */
  async prepareAndUpload(
    method: Method,
    name: string,
    target: UploadTarget,
    maxDimension: number,
    quality: number,
  ): Promise<BlockingFigure> {
    const file = await fixture(name);
    const tasks: PerformanceEntry[] = [];
    const observer = new PerformanceObserver((list) => tasks.push(...list.getEntries()));
    observer.observe({ type: 'longtask' });
    await nextFrame();
    const start = performance.now();
    let fileUuid: string;
    if (method === 'ours') {
      const { parentUuid, baseUrl, token } = target;
      ({ file_uuid: fileUuid } = await core.uploadThumbnail({
        baseUrl,
        token,
        parentUuid,
        file,
        maxSize: file.size,
        maxDimension,
        quality,
        retry: false,
      }));
    } else {
      const blob = await prepareWithCanvas(file, maxDimension, quality);
      const fileName = `${name.replace(/\.\w+$/, '')}.${EXTENSIONS[blob.type] ?? 'bin'}`;
      const md5 = await sparkMd5Hex(blob, SLICE_BYTES);
      const fields = {
        qqparentuuid: target.parentUuid,
        qqfilename: fileName,
        qqfiletype: blob.type,
        qqtotalfilesize: String(blob.size),
        qqmd5: md5,
      };
      ({ file_uuid: fileUuid } = (await postMultipart(
        `${target.baseUrl}/api/v2/pm/upload/`,
        target.token,
        fields,
        blob,
        fileName,
      )) as { file_uuid: string });
    }
    const wallMs = performance.now() - start;
    // Long-task entries arrive after their task; give the last ones time to be delivered.
    await nextFrame();
    await pause(250);
    tasks.push(...observer.takeRecords());
    observer.disconnect();
    const durations = tasks.filter((task) => task.startTime + task.duration >= start).map((task) => task.duration);
    return {
      longestTaskMs: Math.max(0, ...durations),
      totalBlockingMs: durations.reduce((sum, duration) => sum + Math.max(0, duration - LONG_TASK_MS), 0),
      longTasks: durations.length,
      wallMs,
      fileUuid,
    };
  },

  /**
   * Hex MD5 of a fixture, ours or spark-md5's, both reading 4 MiB slices of the Blob; `read-only`
   * reads the slices and hashes nothing, to tell reading from hashing; `hash-only` is our hasher
   * (hash-wasm) on the bytes read into memory beforehand: the ceiling of any way of reading.
   */
  async md5(
    method: 'ours' | 'spark-md5' | 'read-only' | 'hash-only',
    name: string,
  ): Promise<{ ms: number; hex: string }> {
    const file = await fixture(name);
    const inMemory = method === 'hash-only' ? new Uint8Array(await file.arrayBuffer()) : undefined;
    const hasher = method === 'hash-only' ? await createMD5() : undefined;
    await nextFrame();
    const start = performance.now();
    let hex = '';
    if (inMemory && hasher) {
      hasher.init();
      for (let offset = 0; offset < inMemory.length; offset += SLICE_BYTES)
        hasher.update(inMemory.subarray(offset, offset + SLICE_BYTES));
      hex = hasher.digest('hex');
    } else if (method === 'ours') hex = await core.md5Hex(file);
    else if (method === 'spark-md5') hex = await sparkMd5Hex(file, SLICE_BYTES);
    else
      for (let offset = 0; offset < file.size; offset += SLICE_BYTES)
        await file.slice(offset, offset + SLICE_BYTES).arrayBuffer();
    return { ms: performance.now() - start, hex };
  },

  /**
   * The built `uploadMedia` of a fixture: in parts of `chunkSize` bytes (`partConcurrency` of them in
   * flight, the next read and hashed while one goes), or in one request (the MD5 of the whole file first).
   */
  async uploadMedia(
    method: 'chunked' | 'single',
    name: string,
    target: Pick<UploadTarget, 'baseUrl' | 'token'>,
    chunkSize: number,
    partConcurrency = 1,
  ): Promise<MediaUploadFigure> {
    const file = await fixture(name);
    await nextFrame();
    const before = sendTimes.length;
    const start = performance.now();
    const result = await core.uploadMedia({
      baseUrl: target.baseUrl,
      token: target.token,
      file,
      chunkSize,
      chunkThreshold: method === 'single' ? Number.POSITIVE_INFINITY : chunkSize,
      partConcurrency,
      retry: false,
    });
    return { ms: performance.now() - start, fileUuid: result.file_uuid, requests: sendTimes.length - before };
  },

  /**
   * Bare XHR posts, each a FormData of `fields` and one slice of a fixture (as `postMultipart` of the
   * baseline makes them), one after the other: no MD5, no retry, no progress. With `partBytes` at
   * the fixture's size, one request.
   */
  async postSlices(
    name: string,
    url: string,
    token: string,
    partBytes: number,
    fields: Record<string, string>,
  ): Promise<{ ms: number; requests: number }> {
    const file = await fixture(name);
    await nextFrame();
    const start = performance.now();
    let requests = 0;
    for (let at = 0; at < file.size; at += partBytes, requests += 1)
      await postMultipart(url, token, fields, file.slice(at, at + partBytes), name);
    return { ms: performance.now() - start, requests };
  },

  /**
   * The chunked protocol with bare XHRs and nothing else (no MD5, no retry, no progress), parts in
   * series: what any client in this browser pays for parts, whatever its own work.
   */
  async postPartsBare(
    name: string,
    target: Pick<UploadTarget, 'baseUrl' | 'token'>,
    partBytes: number,
  ): Promise<{ ms: number; fileUuid: string }> {
    const file = await fixture(name);
    const url = `${target.baseUrl}/api/v2/pm/upload/`;
    const totalParts = Math.ceil(file.size / partBytes);
    await nextFrame();
    const start = performance.now();
    let fileUuid = '';
    for (let part = 0; part < totalParts; part += 1) {
      const at = part * partBytes;
      const chunk = file.slice(at, at + partBytes);
      const fields: Record<string, string> = {
        qqpartindex: String(part),
        qqtotalparts: String(totalParts),
        qqtotalfilesize: String(file.size),
        qqpartbyteoffset: String(at),
        qqchunksize: String(chunk.size),
        ...(fileUuid && { qquuid: fileUuid }),
      };
      ({ file_uuid: fileUuid } = (await postMultipart(url, target.token, fields, chunk, name)) as {
        file_uuid: string;
      });
    }
    const done = new FormData();
    for (const [field, value] of Object.entries({ qquuid: fileUuid, qqfilename: name, qqtotalparts: `${totalParts}` }))
      done.append(field, value);
    const headers = { Authorization: `Bearer ${target.token}`, Accept: 'application/json' };
    const answer = await fetch(`${url}?done`, { method: 'POST', body: done, headers });
    if (!answer.ok) throw new Error(`The done call got HTTP ${answer.status}`);
    return { ms: performance.now() - start, fileUuid };
  },

  /** Reads and hashes a fixture part by part as the chunked sender does (`updateInPieces`), sending nothing. */
  async hashParts(name: string, partBytes: number): Promise<{ ms: number; hex: string }> {
    const file = await fixture(name);
    const hasher = await createMD5();
    hasher.init();
    await nextFrame();
    const start = performance.now();
    for (let at = 0; at < file.size; at += partBytes)
      await updateInPieces(hasher, await file.slice(at, at + partBytes).arrayBuffer());
    return { ms: performance.now() - start, hex: hasher.digest('hex') };
  },

  /** Renders ours or the composer baseline on this page for `count` files, given next through its file input. */
  async mountQueue(method: QueueMethod, target: ComposerTarget, count: number): Promise<void> {
    return (await queuePage()).mount(method, target, count);
  },

  async queueStatus(): Promise<QueueStatus> {
    return (await queuePage()).status();
  },

  async queueFigure(): Promise<QueueFigure> {
    return (await queuePage()).figure();
  },

  /** The built `uploadThumbnail` (checks, MD5, one XHR with progress) of a fixture. */
  async upload(name: string, target: UploadTarget, maxSize: number): Promise<UploadFigure> {
    const file = await fixture(name);
    await nextFrame();
    let progressEvents = 0;
    const start = performance.now();
    const result = await core.uploadThumbnail({
      baseUrl: target.baseUrl,
      token: target.token,
      parentUuid: target.parentUuid,
      file,
      maxSize,
      retry: false,
      onProgress: () => (progressEvents += 1),
    });
    const end = performance.now();
    const sentAt = sendTimes.filter((time) => time >= start).at(-1);
    if (sentAt === undefined) throw new Error('uploadThumbnail resolved without an XMLHttpRequest being sent');
    return { sendToAnswerMs: end - sentAt, wholeMs: end - start, progressEvents, fileUuid: result.file_uuid };
  },
};

export type BenchPage = typeof bench;

declare global {
  interface Window {
    bench: BenchPage;
  }
}

window.bench = bench;
