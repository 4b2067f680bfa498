/**
 * The MD5 of a blob, loaded when first needed (md5.ts). Hashing (WebAssembly, on the calling thread)
 * and reading the next slices overlap: a large blob is read by a small worker, so that neither waits
 * for the other; a few slices at most are in memory at once, whatever the size.
 */
import { createMD5 } from 'hash-wasm';

// Named alone, so that every bundler keeps just the MD5 of hash-wasm.
export { createMD5 };

/** Read at once: 4 MiB. */
const SLICE_BYTES = 4 * 1024 * 1024;
/** Hashed at once: 256 KiB, under a ms here at full speed, and a few ms where the page shares a busy CPU. */
const HASH_BYTES = 256 * 1024;
/** Hashing goes on in one task for this long, then lets the page run: far below a 50 ms task. */
const HASH_TASK_MS = 8;

/** Lets the page run (an input, a frame) between two pieces of hashing; no timer clamp in the way. */
function yieldToPage(): Promise<void> {
  const { scheduler } = globalThis as { scheduler?: { yield?: () => Promise<void> } };
  if (scheduler?.yield) return scheduler.yield();
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(0);
  });
}
/** Slices read ahead of the one being hashed. */
const READ_AHEAD = 2;

// A string, not a bundled module: it is tiny, and no minifier or coverage tool can reach into it.
// Given [blob, slice size, slices ahead], it reads the blob's stream into slices (straight into each
// slice's buffer where the stream allows it) and posts them in order, transferred, never more than
// `ahead` beyond those asked for (each message it gets asks for one more); then, on a failure, its
// name and message.
const READER_SOURCE = `onmessage=async({data:[blob,size,ahead]})=>{let credit=ahead,wake,reader;onmessage=()=>{credit++;wake?.()};try{reader=blob.stream().getReader({mode:'byob'})}catch{}try{for(let at=0;at<blob.size;at+=size){while(!credit)await new Promise(r=>wake=r);credit--;let view=new Uint8Array(Math.min(size,blob.size-at)),filled=0;if(reader)while(filled<view.length){const{value,done}=await reader.read(new Uint8Array(view.buffer,filled));if(done)throw new DOMException('The file changed while it was read.','NotReadableError');filled+=value.length;view=new Uint8Array(value.buffer)}else view=new Uint8Array(await blob.slice(at,at+size).arrayBuffer());postMessage(view.buffer,[view.buffer])}}catch(e){postMessage({name:e.name,message:e.message})}}`;

/** The blob's slices in order; `next` is called once per slice. */
interface Slices {
  next(): Promise<ArrayBuffer>;
  stop(): void;
}

/** Reads on this thread, from `from` on, `READ_AHEAD` slices ahead of the one handed out. */
function readOnThisThread(blob: Blob, from = 0): Slices {
  const ahead: Array<Promise<ArrayBuffer>> = [];
  let requested = from;
  const readAhead = () => {
    for (; ahead.length < READ_AHEAD && requested < blob.size; requested += SLICE_BYTES) {
      const slice = blob.slice(requested, requested + SLICE_BYTES).arrayBuffer();
      // Awaited in turn; a slice left behind by an abort or a failure must not be reported as unhandled.
      slice.catch(() => undefined);
      ahead.push(slice);
    }
  };
  return {
    next() {
      readAhead();
      const slice = ahead.shift();
      readAhead();
      return slice ?? Promise.reject(new RangeError('Read past the end of the blob.'));
    },
    stop: () => undefined,
  };
}

/**
 * Reads in a worker, so that reading the next slices and hashing this one overlap; where a worker
 * cannot start (a CSP that forbids blob: workers), on this thread, from the slice it had reached.
 */
function readInWorker(blob: Blob): Slices {
  const received: ArrayBuffer[] = [];
  let receivedBytes = 0;
  let waiting: { resolve: (slice: Promise<ArrayBuffer>) => void } | undefined;
  let failure: Promise<never> | undefined;
  let onThisThread: Slices | undefined;
  let worker: Worker | undefined;
  const settle = (slice: Promise<ArrayBuffer>) => {
    waiting?.resolve(slice);
    waiting = undefined;
  };
  const cannotStart = () => {
    worker?.terminate();
    worker = undefined;
    onThisThread = readOnThisThread(blob, receivedBytes);
    if (waiting && !received.length) settle(onThisThread.next());
  };
  try {
    const url = URL.createObjectURL(new Blob([READER_SOURCE], { type: 'text/javascript' }));
    try {
      worker = new Worker(url, { name: 'react-thumbnail-uploader:md5-reader' });
    } finally {
      URL.revokeObjectURL(url);
    }
    worker.onmessage = ({ data }: MessageEvent<ArrayBuffer | { name: string; message: string }>) => {
      if (data instanceof ArrayBuffer) {
        receivedBytes += data.byteLength;
        if (waiting) settle(Promise.resolve(data));
        else received.push(data);
        return;
      }
      failure = Promise.reject(new DOMException(data.message, data.name));
      failure.catch(() => undefined);
      settle(failure);
    };
    worker.onerror = (event) => {
      event.preventDefault();
      cannotStart();
    };
    worker.postMessage([blob, SLICE_BYTES, READ_AHEAD]);
  } catch {
    cannotStart();
  }
  return {
    next() {
      worker?.postMessage(0);
      const slice = received.shift();
      if (slice) return Promise.resolve(slice);
      if (failure) return failure;
      if (onThisThread) return onThisThread.next();
      return new Promise((resolve) => (waiting = { resolve }));
    },
    stop: () => worker?.terminate(),
  };
}

/**
 * Adds `bytes` to the hash in pieces, letting the page run whenever hashing has held it for
 * HASH_TASK_MS: at full speed a slice goes in a task or two, and on a CPU shared with decoding and
 * uploads (where a MiB took 20 ms here) a piece at a time. The first piece waits its own task too:
 * bytes often arrive in a microtask of another task (an upload's answer), which they would make long.
 */
export async function updateInPieces(
  hasher: { update: (data: Uint8Array) => unknown },
  bytes: ArrayBuffer,
  signal?: AbortSignal,
): Promise<void> {
  let since = -Infinity;
  for (let at = 0; at < bytes.byteLength; at += HASH_BYTES) {
    if (performance.now() - since > HASH_TASK_MS) {
      await yieldToPage();
      since = performance.now();
    }
    signal?.throwIfAborted();
    hasher.update(new Uint8Array(bytes, at, Math.min(HASH_BYTES, bytes.byteLength - at)));
  }
}

/** One blob's MD5, read once for all who ask it; the reading stops when every one of them has aborted. */
interface SharedHash {
  hex: Promise<string>;
  stop: AbortController;
  waiting: number;
}

const hashes = new WeakMap<Blob, SharedHash>();

/**
 * Lowercase hex MD5 of a blob's bytes; rejects with the signal's reason once it is aborted. A blob's
 * bytes never change: one hashed already, or being hashed (an attachment waiting its turn), is not
 * read again.
 */
export async function md5HexOfBlob(blob: Blob, signal?: AbortSignal): Promise<string> {
  signal?.throwIfAborted();
  let hash = hashes.get(blob);
  if (!hash) {
    const stop = new AbortController();
    const started: SharedHash = { hex: hashBlob(blob, stop.signal), stop, waiting: 0 };
    // A failed reading is not kept: the next ask reads again.
    started.hex.catch(() => hashes.get(blob) === started && hashes.delete(blob));
    hashes.set(blob, (hash = started));
  }
  const shared = hash;
  shared.waiting += 1;
  let onAbort = () => {};
  try {
    return await new Promise<string>((resolve, reject) => {
      onAbort = () => {
        shared.waiting -= 1;
        if (shared.waiting === 0) {
          hashes.delete(blob);
          shared.stop.abort(signal?.reason);
        }
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort);
      shared.hex.then(resolve, reject);
    });
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

async function hashBlob(blob: Blob, signal: AbortSignal): Promise<string> {
  const hasher = await createMD5();
  hasher.init();
  // Below a few slices, a worker would cost more than it saves.
  const slices =
    typeof Worker === 'function' && blob.size > READ_AHEAD * SLICE_BYTES ? readInWorker(blob) : readOnThisThread(blob);
  // A slice being read (from a slow disk, say) does not hold up a cancel.
  let onAbort = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
  });
  aborted.catch(() => undefined);
  signal.addEventListener('abort', onAbort);
  try {
    for (let offset = 0; offset < blob.size; offset += SLICE_BYTES) {
      const bytes = await Promise.race([slices.next(), aborted]);
      signal.throwIfAborted();
      await updateInPieces(hasher, bytes, signal);
    }
    return hasher.digest('hex');
  } finally {
    signal.removeEventListener('abort', onAbort);
    slices.stop();
  }
}
