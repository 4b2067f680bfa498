/**
 * The image types a thumbnail may be, recognised by their first bytes, never by a name or a declared
 * type. Pure byte checks: the widget and the reference server use the same ones.
 */

/** How many leading bytes sniffing needs (AVIF lists its brands in the first box). */
export const SNIFF_BYTES = 64;

export type ImageType =
  'image/png' | 'image/jpeg' | 'image/gif' | 'image/webp' | 'image/avif' | 'image/bmp' | 'image/heic' | 'image/heif';

/** An iPhone's photo and its kin: Safari alone decodes them (image.ts falls back on libheif elsewhere). */
export const isHeif = (type: string | undefined): type is 'image/heic' | 'image/heif' =>
  type === 'image/heic' || type === 'image/heif';

const ascii = (bytes: Uint8Array, start: number, end: number) => String.fromCharCode(...bytes.subarray(start, end));

const startsWith = (bytes: Uint8Array, signature: readonly number[]) => signature.every((byte, i) => bytes[i] === byte);

// BITMAPCOREHEADER and the BITMAPINFOHEADER family: "BM" alone is too common a start for text.
const BMP_DIB_HEADER_SIZES = new Set([12, 40, 52, 56, 64, 108, 124]);

export function sniffImageType(head: Uint8Array): ImageType | undefined {
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(head, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (ascii(head, 0, 6) === 'GIF87a' || ascii(head, 0, 6) === 'GIF89a') return 'image/gif';
  if (ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 12) === 'WEBP') return 'image/webp';
  const brands = ftypBrands(head);
  // An AVIF lists `mif1` too: its own brand wins.
  if (brands.some((brand) => AVIF_BRANDS.has(brand))) return 'image/avif';
  if (brands.some((brand) => HEIC_BRANDS.has(brand))) return 'image/heic';
  if (brands.some((brand) => HEIF_BRANDS.has(brand))) return 'image/heif';
  if (ascii(head, 0, 2) === 'BM' && head.length >= 18) {
    const dibHeaderSize = new DataView(head.buffer, head.byteOffset, head.byteLength).getUint32(14, true);
    if (BMP_DIB_HEADER_SIZES.has(dibHeaderSize)) return 'image/bmp';
  }
  return undefined;
}

/** AVIF's still (`avif`) and sequence (`avis`) brands. */
const AVIF_BRANDS = new Set(['avif', 'avis']);
/** HEVC-coded HEIF (ISO/IEC 23008-12 annex B): still images, with or without extensions, and sequences. */
const HEIC_BRANDS = new Set(['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx']);
/** HEIF's structural brands, whatever the codec: a still image (`mif1`) or a sequence (`msf1`). */
const HEIF_BRANDS = new Set(['mif1', 'msf1']);

/** The major and compatible brands of an ISO-BMFF `ftyp` box at the start; none when there is no such box. */
function ftypBrands(head: Uint8Array): string[] {
  if (head.length < 16 || ascii(head, 4, 8) !== 'ftyp') return [];
  const boxSize = new DataView(head.buffer, head.byteOffset, head.byteLength).getUint32(0);
  const end = Math.min(boxSize, head.length);
  const brands = [ascii(head, 8, 12)];
  // Bytes 12..16 are the minor version, not a brand.
  for (let offset = 16; offset + 4 <= end; offset += 4) brands.push(ascii(head, offset, offset + 4));
  return brands;
}
