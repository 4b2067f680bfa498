/** Read in slices so that hashing a large file never holds it whole in memory. */
const SLICE_BYTES = 4 * 1024 * 1024;

/** Lowercase hex MD5 of a blob's bytes; the WebAssembly hasher is loaded only when first needed. */
export async function md5Hex(blob: Blob, signal?: AbortSignal): Promise<string> {
  // Through a module that names createMD5 alone: every bundler then keeps just the MD5 of hash-wasm.
  const { createMD5 } = await import('./hashWasmMd5');
  const hasher = await createMD5();
  for (let offset = 0; offset < blob.size; offset += SLICE_BYTES) {
    signal?.throwIfAborted();
    hasher.update(new Uint8Array(await blob.slice(offset, offset + SLICE_BYTES).arrayBuffer()));
  }
  return hasher.digest('hex');
}
