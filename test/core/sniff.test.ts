import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sniffImageType } from '../../src/core/sniff';
import { makePng } from '../fixtures';

const bytes = (...parts: (string | number[])[]) =>
  new Uint8Array(parts.flatMap((part) => (typeof part === 'string' ? [...Buffer.from(part, 'latin1')] : part)));
const u32be = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
const u32le = (n: number) => u32be(n).reverse();
const ftyp = (major: string, ...compatible: string[]) =>
  bytes(u32be(16 + 4 * compatible.length), 'ftyp', major, [0, 0, 0, 0], ...compatible);

describe('sniffImageType', () => {
  it.each([
    ['image/png', makePng()],
    ['image/jpeg', bytes([0xff, 0xd8, 0xff, 0xe0], '\0\x10JFIF')],
    ['image/gif', bytes('GIF89a', [1, 0, 1, 0])],
    ['image/gif', bytes('GIF87a', [1, 0, 1, 0])],
    ['image/webp', bytes('RIFF', u32le(100), 'WEBPVP8 ')],
    ['image/avif', ftyp('avif', 'mif1', 'miaf')],
    ['image/avif', ftyp('mif1', 'miaf', 'avif')],
    ['image/avif', ftyp('avis', 'msf1')],
    ['image/bmp', bytes('BM', u32le(70), [0, 0, 0, 0], u32le(54), u32le(40))],
    // An iPhone's photo, and the other HEVC brands of ISO/IEC 23008-12, as major or compatible brand.
    ['image/heic', ftyp('heic', 'mif1', 'heic')],
    ['image/heic', ftyp('mif1', 'heic')],
    ['image/heic', ftyp('heix', 'mif1')],
    ['image/heic', ftyp('heim', 'mif1')],
    ['image/heic', ftyp('heis', 'mif1')],
    ['image/heic', ftyp('msf1', 'hevc')],
    ['image/heic', ftyp('hevx', 'msf1')],
    ['image/heic', ftyp('msf1', 'hevm')],
    ['image/heic', ftyp('hevs', 'msf1')],
    // HEIF's structural brands alone: a HEIF whatever its codec.
    ['image/heif', ftyp('mif1', 'miaf')],
    ['image/heif', ftyp('msf1', 'iso8')],
    // An AVIF lists mif1 too, sometimes before its own brand: it stays an AVIF.
    ['image/avif', ftyp('mif1', 'miaf', 'MA1B', 'avif')],
    ['image/avif', ftyp('msf1', 'avis')],
  ])('recognises %s', (type, head) => {
    expect(sniffImageType(head)).toBe(type);
  });

  it.each([
    ['text', bytes('hello, I am a .png')],
    ['text that starts like a BMP', bytes('BMW owners club, minutes of the meeting')],
    ['a WAV file', bytes('RIFF', u32le(100), 'WAVEfmt ')],
    ['an MP4 video', ftyp('isom', 'iso2', 'mp41')],
    ['a brand past the ftyp box', bytes(u32be(16), 'ftyp', 'isom', [0, 0, 0, 0], 'avif')],
    ['a HEIC brand past the ftyp box', bytes(u32be(16), 'ftyp', 'isom', [0, 0, 0, 0], 'heic')],
    ['a HEIC brand as the minor version', bytes(u32be(20), 'ftyp', 'isom', 'heic', 'mp41')],
    ['a QuickTime movie', ftyp('qt  ', 'qt  ')],
    ['a HEIC brand in a box that is not ftyp', bytes(u32be(16), 'moov', 'heic', [0, 0, 0, 0])],
    ['a truncated PNG signature', bytes([0x89], 'PNG')],
    ['an SVG with a script', bytes('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')],
    ['an HTML page', bytes('<!doctype html><img src=x onerror=alert(1)>')],
    ['a PDF', bytes('%PDF-1.7\n')],
    ['nothing', new Uint8Array(0)],
  ])('refuses %s', (_, head) => {
    expect(sniffImageType(head)).toBeUndefined();
  });

  it('recognises the committed iPhone-style HEIC fixture by its bytes, whatever it is named', () => {
    const heic = new Uint8Array(readFileSync('test/fixtures/portrait-quadrants.heic'));
    expect(sniffImageType(heic.subarray(0, 64))).toBe('image/heic');
  });
});
