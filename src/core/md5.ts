/**
 * Lowercase hex MD5 of a blob's bytes, read in slices so that a large file is never held whole in
 * memory. The WebAssembly hasher and the slice reader (hashWasmMd5.ts) are loaded only when first needed.
 */
export async function md5Hex(blob: Blob, signal?: AbortSignal): Promise<string> {
  return (await import('./hashWasmMd5')).md5HexOfBlob(blob, signal);
}
