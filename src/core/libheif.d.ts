/** The part of libheif-js's WebAssembly bundle (the .wasm inlined) that heic.ts uses. */
declare module 'libheif-js/libheif-wasm/libheif-bundle.mjs' {
  interface HeifImage {
    get_width(): number;
    get_height(): number;
    is_primary(): boolean;
    /** Decodes into `target.data` as RGBA, upright (`irot` and `imir` applied); calls back with null on failure. */
    display(target: ImageData, done: (target: ImageData | null) => void): void;
    free(): void;
  }
  interface HeifDecoder {
    /** The libheif context of the last decode, to free. */
    decoder: unknown;
    /** Every top-level image; an empty list when the file cannot be read. */
    decode(bytes: Uint8Array): HeifImage[];
  }
  interface LibHeif {
    HeifDecoder: new () => HeifDecoder;
    heif_context_free(context: unknown): void;
  }
  const createLibHeif: () => Promise<LibHeif>;
  export default createLibHeif;
}
