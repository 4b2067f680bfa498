import { sniffImageType } from '../../src/core/validate';
import { makePng } from '../fixtures';

const bytes = (...values: number[]) => new Uint8Array([...values, ...new Array(16).fill(0)]);
const ascii = (text: string) => [...text].map((char) => char.charCodeAt(0));

describe('sniffImageType', () => {
  it.each([
    ['image/png', makePng()],
    ['image/jpeg', bytes(0xff, 0xd8, 0xff, 0xe0)],
    ['image/gif', bytes(...ascii('GIF89a'))],
    ['image/webp', bytes(...ascii('RIFF'), 1, 2, 3, 4, ...ascii('WEBPVP8 '))],
    ['image/avif', bytes(0, 0, 0, 0x20, ...ascii('ftypavif'))],
    ['image/bmp', bytes(...ascii('BM'), 1, 2)],
  ])('recognises %s by its first bytes, whatever the declared type', async (type, content) => {
    expect(await sniffImageType(new Blob([content], { type: 'text/plain' }))).toBe(type);
  });

  it.each([
    ['text', new TextEncoder().encode('just text, named photo.png')],
    ['SVG', new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')],
    ['PDF', new TextEncoder().encode('%PDF-1.7\n')],
    ['RIFF that is not WebP', bytes(...ascii('RIFF'), 1, 2, 3, 4, ...ascii('WAVE'))],
  ])('refuses %s', async (_name, content) => {
    expect(await sniffImageType(new Blob([content], { type: 'image/png' }))).toBeUndefined();
  });
});
