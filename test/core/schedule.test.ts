import { describe, expect, it } from 'vitest';
import { knowSizesInTurns } from '../../src/core/schedule';

/** A file whose first size read costs `costMs`, as a picked file's does in Chromium; it logs each read. */
class SlowFile extends Blob {
  constructor(
    private readonly log: string[],
    private readonly name: string,
    private readonly costMs: number,
  ) {
    super(['x']);
  }
  override get size() {
    const until = performance.now() + this.costMs;
    while (performance.now() < until);
    this.log.push(this.name);
    return super.size;
  }
}

describe('knowSizesInTurns', () => {
  it('reads every size before it resolves, letting the page run between a few files', async () => {
    const log: string[] = [];
    const files = Array.from({ length: 12 }, (_, index) => new SlowFile(log, `file ${index}`, 3));
    // A task queued once the first size is read: it runs after a few more, not after all twelve.
    const reading = knowSizesInTurns(files);
    while (!log.length) await new Promise((resolve) => setTimeout(resolve));
    const other = new Promise<void>((resolve) => setTimeout(() => resolve(void log.push('other task')), 0));
    await reading;
    await other;
    expect(log.filter((entry) => entry.startsWith('file'))).toEqual(files.map((_, index) => `file ${index}`));
    const at = log.indexOf('other task');
    expect(at).toBeGreaterThan(0);
    expect(at).toBeLessThan(files.length);
  });

  it("reads no size in the caller's task (the drop's or the input's)", async () => {
    const log: string[] = [];
    const reading = knowSizesInTurns([new SlowFile(log, 'file', 0)]);
    await Promise.resolve();
    expect(log).toEqual([]);
    await reading;
    expect(log).toEqual(['file']);
  });

  it('passes over what is not a file, such as the items of a drag', async () => {
    await expect(knowSizesInTurns([{ kind: 'file' }, 'text'])).resolves.toBeUndefined();
  });
});
