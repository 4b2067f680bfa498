/**
 * HEIC/HEIF photos decoded by libheif (libheif-js, LGPL-3.0: WebAssembly, inlined in this chunk), for
 * browsers whose own decoder cannot read them (all but Safari). image.ts imports this module only when
 * such a photo is chosen, so that the decoder costs nothing to an app until then. It decodes on the page:
 * libheif's build runs in the thread that loads it, and the image worker is a blob: URL that could not
 * import this chunk.
 */
import createLibHeif from 'libheif-js/libheif-wasm/libheif-bundle.mjs';

let library: ReturnType<typeof createLibHeif> | undefined;

/** The primary image, upright (libheif applies the `irot` and `imir` boxes, as Safari does), as a bitmap. */
export async function decodeHeic(file: Blob): Promise<ImageBitmap> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  const libheif = await (library ??= createLibHeif());
  const decoder = new libheif.HeifDecoder();
  const images = decoder.decode(bytes);
  try {
    const image = images.find((candidate) => candidate.is_primary()) ?? images[0];
    if (!image) throw new Error('libheif found no image in this file.');
    const pixels = new ImageData(image.get_width(), image.get_height());
    const decoded = await new Promise<ImageData | null>((done) => image.display(pixels, done));
    if (!decoded) throw new Error('libheif could not decode the image.');
    return await createImageBitmap(decoded);
  } finally {
    for (const image of images) image.free();
    libheif.heif_context_free(decoder.decoder);
  }
}
