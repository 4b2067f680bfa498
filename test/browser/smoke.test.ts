import { sniffImageType } from '../../src/core';

it('runs in Chromium, where createImageBitmap and OffscreenCanvas exist', async () => {
  expect(typeof createImageBitmap).toBe('function');
  expect(typeof OffscreenCanvas).toBe('function');
  const canvas = new OffscreenCanvas(4, 3);
  canvas.getContext('2d')!.fillRect(0, 0, 4, 3);
  const blob = await canvas.convertToBlob({ type: 'image/png' });
  expect(sniffImageType(new Uint8Array(await blob.slice(0, 64).arrayBuffer()))).toBe('image/png');
});
