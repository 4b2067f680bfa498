/** Bytes the bench makes in Node: EXIF spliced into the browser's JPEGs, and big files of known content. */
import { randomBytes } from 'node:crypto';

/**
 * An APP1 Exif segment whose only tag is Orientation (0x0112, SHORT) = `orientation`: "Exif\0\0",
 * a big-endian TIFF header, IFD0 with one entry, no next IFD.
 */
export function exifOrientationSegment(orientation: number): Buffer {
  const tiff = Buffer.alloc(8 + 2 + 12 + 4);
  tiff.write('MM', 0, 'latin1');
  tiff.writeUInt16BE(42, 2);
  tiff.writeUInt32BE(8, 4); // IFD0 right after the header
  tiff.writeUInt16BE(1, 8); // one entry
  tiff.writeUInt16BE(0x0112, 10); // Orientation
  tiff.writeUInt16BE(3, 12); // SHORT
  tiff.writeUInt32BE(1, 14); // one value
  tiff.writeUInt16BE(orientation, 18); // left-justified in the 4-byte value field
  tiff.writeUInt32BE(0, 22); // no IFD1
  const payload = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
  const header = Buffer.alloc(4);
  header.writeUInt16BE(0xffe1, 0);
  header.writeUInt16BE(payload.length + 2, 2); // the length counts itself
  return Buffer.concat([header, payload]);
}

/**
 * The JPEG with an Exif segment saying `orientation`, placed after SOI and the JFIF APP0 if there is
 * one (JFIF wants APP0 first), where cameras put it. Throws on anything that is not a JPEG.
 */
export function withExifOrientation(jpeg: Buffer, orientation: number): Buffer {
  if (jpeg[0] !== 0xff || jpeg[1] !== 0xd8) throw new Error('Not a JPEG: no SOI marker');
  let at = 2;
  if (jpeg[at] === 0xff && jpeg[at + 1] === 0xe0) at += 2 + jpeg.readUInt16BE(at + 2);
  for (
    let scan = 2;
    scan + 4 <= jpeg.length && jpeg[scan] === 0xff && jpeg[scan + 1] !== 0xda;
    scan += 2 + jpeg.readUInt16BE(scan + 2)
  ) {
    if (jpeg[scan + 1] === 0xe1) throw new Error('This JPEG already has an APP1 segment');
  }
  return Buffer.concat([jpeg.subarray(0, at), exifOrientationSegment(orientation), jpeg.subarray(at)]);
}

/**
 * A decodable JPEG of exactly `totalBytes`: a small picture followed by random bytes, which decoders
 * ignore after EOI. Random, so that nothing on the way can compress it.
 */
export function paddedJpeg(jpeg: Buffer, totalBytes: number): Buffer {
  if (jpeg.length > totalBytes) throw new Error(`The JPEG alone is ${jpeg.length} bytes, more than ${totalBytes}`);
  return Buffer.concat([jpeg, randomBytes(totalBytes - jpeg.length)]);
}
