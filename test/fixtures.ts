import { createHash } from 'node:crypto';
import { crc32, deflateSync } from 'node:zlib';

type Rgba = [number, number, number, number];

/** A real, decodable RGBA PNG: a diagonal gradient (so that it is not blank), or one colour. */
export function makePng(width = 4, height = 3, colour?: Rgba): Uint8Array<ArrayBuffer> {
  const row = 1 + width * 4;
  const pixels = Buffer.alloc(row * height);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const at = y * row + 1 + x * 4;
      pixels.set(colour ?? [(x * 255) / Math.max(1, width - 1), (y * 255) / Math.max(1, height - 1), 160, 255], at);
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA, no interlace
  const png = Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(pixels)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
  return new Uint8Array(png);
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** Bytes that are no image: what a `.png` that is really text looks like. */
export function makeText(text = 'this is not an image, whatever its name says\n'): Uint8Array<ArrayBuffer> {
  return new Uint8Array(Buffer.from(text));
}

export function md5Of(bytes: Uint8Array): string {
  return createHash('md5').update(bytes).digest('hex');
}

/** A File of the test environment (jsdom's in jsdom tests), so that its XHR can send it. */
export function pngFile(name = 'photo.png', width = 4, height = 3): File {
  return new File([makePng(width, height)], name, { type: 'image/png' });
}

/** Bytes of a type with no picture in them (audio, an archive): its magic bytes, then noise. */
export function makeOpaque(magic: string, size = 32 * 1024): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(size);
  for (let at = 0; at < size; at += 1) bytes[at] = (at * 7919 + 13) % 251;
  bytes.set(new TextEncoder().encode(magic));
  return bytes;
}
