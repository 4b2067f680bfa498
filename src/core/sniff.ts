/**
 * The image types a thumbnail may be, recognised by their first bytes, never by a name or a declared
 * type. Pure byte checks: the widget and the reference server use the same ones.
 */

/** How many leading bytes sniffing needs (AVIF lists its brands in the first box). */
export const SNIFF_BYTES = 64;

export type ImageType =
  'image/png' | 'image/jpeg' | 'image/gif' | 'image/webp' | 'image/avif' | 'image/bmp' | 'image/heic' | 'image/heif';

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
  // AVIF's still and sequence brands; an AVIF lists `mif1` too, and its own brand wins.
  if (/,avi[fs],/.test(brands)) return 'image/avif';
  // HEVC-coded HEIF (ISO/IEC 23008-12 annex B): heic, heix, heim, heis (still images) and hevc, hevx,
  // hevm, hevs (sequences).
  if (/,he[iv][cxms],/.test(brands)) return 'image/heic';
  // HEIF's structural brands alone, whatever the codec: a still image (mif1) or a sequence (msf1).
  if (/,m[is]f1,/.test(brands)) return 'image/heif';
  if (ascii(head, 0, 2) === 'BM' && head.length >= 18) {
    const dibHeaderSize = new DataView(head.buffer, head.byteOffset, head.byteLength).getUint32(14, true);
    if (BMP_DIB_HEADER_SIZES.has(dibHeaderSize)) return 'image/bmp';
  }
  return undefined;
}

/**
 * The major and compatible brands of an ISO-BMFF `ftyp` box at the start, each between commas
 * (`,heic,mif1,heic,miaf,`), for a pattern to match one whole brand; '' when there is no such box.
 */
function ftypBrands(head: Uint8Array): string {
  // A head cut short gives its brands so far: decoding refuses the file then.
  if (ascii(head, 4, 8) !== 'ftyp') return '';
  const end = Math.min(new DataView(head.buffer, head.byteOffset, head.byteLength).getUint32(0), head.length);
  let brands = `,${ascii(head, 8, 12)},`;
  // Bytes 12..16 are the minor version, not a brand.
  for (let offset = 16; offset + 4 <= end; offset += 4) brands += `${ascii(head, offset, offset + 4)},`;
  return brands;
}
