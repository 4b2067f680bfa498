/** Images made in the browser, byte by byte where no encoder exists (GIF, BMP, EXIF): nothing is stored. */

export type Rgba = [number, number, number, number];

export const RED: Rgba = [255, 0, 0, 255];
export const GREEN: Rgba = [0, 255, 0, 255];
export const BLUE: Rgba = [0, 0, 255, 255];
export const YELLOW: Rgba = [255, 255, 0, 255];

const css = ([r, g, b, a]: Rgba) => `rgba(${r}, ${g}, ${b}, ${a / 255})`;

/** A canvas image in four solid quadrants: red top left, green top right, blue bottom left, yellow bottom right. */
export async function quadrants(width: number, height: number, type = 'image/png', quality?: number): Promise<Blob> {
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext('2d')!;
  const [halfWidth, halfHeight] = [width / 2, height / 2];
  for (const [x, y, colour] of [
    [0, 0, RED],
    [halfWidth, 0, GREEN],
    [0, halfHeight, BLUE],
    [halfWidth, halfHeight, YELLOW],
  ] as const) {
    context.fillStyle = css(colour);
    context.fillRect(x, y, halfWidth, halfHeight);
  }
  return canvas.convertToBlob({ type, quality });
}

/** A PNG whose left half is fully transparent and right half opaque red. */
export async function halfTransparentPng(width: number, height: number): Promise<Blob> {
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext('2d')!;
  context.fillStyle = css(RED);
  context.fillRect(width / 2, 0, width / 2, height);
  return canvas.convertToBlob({ type: 'image/png' });
}

/** Decodes an image as a browser shows it (EXIF orientation applied) and reads its pixels. */
export async function readPixels(blob: Blob) {
  const bitmap = await createImageBitmap(blob);
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const context = canvas.getContext('2d')!;
  context.drawImage(bitmap, 0, 0);
  bitmap.close();
  return {
    width: canvas.width,
    height: canvas.height,
    at: (x: number, y: number) => [...context.getImageData(Math.floor(x), Math.floor(y), 1, 1).data] as Rgba,
  };
}

export async function bytesOf(blob: Blob): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await blob.arrayBuffer());
}

const ascii = (text: string) => [...text].map((char) => char.charCodeAt(0));

/**
 * A JPEG with an APP1 Exif segment spliced in after its SOI marker: a TIFF header in `byteOrder` and
 * one IFD holding a single entry, Orientation (tag 0x0112, SHORT).
 */
export function withExifOrientation(
  jpeg: Uint8Array,
  orientation: number,
  byteOrder: 'MM' | 'II' = 'MM',
): Uint8Array<ArrayBuffer> {
  const big = byteOrder === 'MM';
  const u16 = (value: number) => (big ? [value >> 8, value & 0xff] : [value & 0xff, value >> 8]);
  const u32 = (value: number) => (big ? [0, 0, ...u16(value)] : [...u16(value), 0, 0]);
  const tiff = [
    ...ascii(byteOrder),
    ...u16(42),
    ...u32(8),
    ...u16(1),
    ...u16(0x0112),
    ...u16(3),
    ...u32(1),
    ...u16(orientation),
    0,
    0,
    ...u32(0),
  ];
  const body = [...ascii('Exif'), 0, 0, ...tiff];
  const length = body.length + 2;
  return new Uint8Array([...jpeg.subarray(0, 2), 0xff, 0xe1, length >> 8, length & 0xff, ...body, ...jpeg.subarray(2)]);
}

/**
 * An animated GIF of `frames` solid frames (red, blue, red…). Its LZW data puts a clear code before
 * every pixel, so that codes stay 3 bits wide: valid, and simple enough to write by hand.
 */
export function makeGif(width: number, height: number, frames = 2): Uint8Array<ArrayBuffer> {
  const bytes: number[] = [];
  const u16 = (value: number) => bytes.push(value & 0xff, value >> 8);
  bytes.push(...ascii('GIF89a'));
  u16(width);
  u16(height);
  bytes.push(0x80, 0, 0); // a global colour table of two entries
  bytes.push(255, 0, 0, 0, 0, 255);
  bytes.push(0x21, 0xff, 11, ...ascii('NETSCAPE2.0'), 3, 1, 0, 0, 0); // loop forever
  for (let frame = 0; frame < frames; frame += 1) {
    bytes.push(0x21, 0xf9, 4, 0, 10, 0, 0, 0); // 0.1 s per frame
    bytes.push(0x2c);
    u16(0);
    u16(0);
    u16(width);
    u16(height);
    bytes.push(0, 2); // no local colour table; LZW minimum code size 2 (clear = 4, end = 5)
    const codes: number[] = [];
    for (let pixel = 0; pixel < width * height; pixel += 1) codes.push(4, frame % 2);
    codes.push(5);
    const packed: number[] = [];
    let buffer = 0;
    let bits = 0;
    for (const code of codes) {
      buffer |= code << bits;
      bits += 3;
      while (bits >= 8) {
        packed.push(buffer & 0xff);
        buffer >>= 8;
        bits -= 8;
      }
    }
    if (bits > 0) packed.push(buffer & 0xff);
    for (let at = 0; at < packed.length; at += 255) {
      const block = packed.slice(at, at + 255);
      bytes.push(block.length, ...block);
    }
    bytes.push(0);
  }
  bytes.push(0x3b);
  return new Uint8Array(bytes);
}

/** A 24-bit BMP (BITMAPINFOHEADER, rows bottom-up, each padded to 4 bytes) in the four quadrants' colours. */
export function makeBmp(width: number, height: number): Uint8Array<ArrayBuffer> {
  const row = Math.ceil((width * 3) / 4) * 4;
  const view = new DataView(new ArrayBuffer(54 + row * height));
  view.setUint8(0, 0x42);
  view.setUint8(1, 0x4d);
  view.setUint32(2, view.byteLength, true);
  view.setUint32(10, 54, true);
  view.setUint32(14, 40, true);
  view.setInt32(18, width, true);
  view.setInt32(22, height, true);
  view.setUint16(26, 1, true);
  view.setUint16(28, 24, true);
  view.setUint32(34, row * height, true);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const [r, g, b] = y < height / 2 ? (x < width / 2 ? RED : GREEN) : x < width / 2 ? BLUE : YELLOW;
      const at = 54 + (height - 1 - y) * row + x * 3;
      view.setUint8(at, b);
      view.setUint8(at + 1, g);
      view.setUint8(at + 2, r);
    }
  }
  return new Uint8Array(view.buffer);
}
