import { md5Hex } from '../../src/core/md5';
import { md5Of } from '../fixtures';

describe('md5Hex', () => {
  it('hashes a file larger than one slice exactly like node:crypto', async () => {
    const bytes = new Uint8Array(9 * 1024 * 1024 + 7);
    for (let i = 0; i < bytes.length; i += 1) bytes[i] = (i * 31 + (i >> 8)) & 0xff;
    expect(await md5Hex(new Blob([bytes]))).toBe(md5Of(bytes));
  });

  it('hashes an empty blob', async () => {
    expect(await md5Hex(new Blob([]))).toBe('d41d8cd98f00b204e9800998ecf8427e');
  });

  it('stops when aborted', async () => {
    await expect(md5Hex(new Blob([new Uint8Array(10)]), AbortSignal.abort())).rejects.toMatchObject({
      name: 'AbortError',
    });
  });
});
