// @vitest-environment node
import { createLimiter } from '../../src/core/limiter';

/** Jobs finished by hand, recording which started. */
function heldJobs() {
  const started: string[] = [];
  const finish = new Map<string, (value: string) => void>();
  const fail = new Map<string, (error: Error) => void>();
  const job = (name: string) => () =>
    new Promise<string>((resolve, reject) => {
      started.push(name);
      finish.set(name, resolve);
      fail.set(name, reject);
    });
  return {
    job,
    started,
    finish: (name: string) => finish.get(name)!(name),
    fail: (name: string) => fail.get(name)!(new Error(name)),
  };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('createLimiter', () => {
  it('runs at most `concurrency` jobs at once, the others in the order given', async () => {
    const limiter = createLimiter(2);
    const { job, started, finish } = heldJobs();
    const results = ['a', 'b', 'c', 'd'].map((name) => limiter.run(job(name)));
    await flush();
    expect(started).toEqual(['a', 'b']);
    finish('b');
    await flush();
    expect(started).toEqual(['a', 'b', 'c']);
    finish('a');
    finish('c');
    await flush();
    expect(started).toEqual(['a', 'b', 'c', 'd']);
    finish('d');
    await expect(Promise.all(results)).resolves.toEqual(['a', 'b', 'c', 'd']);
  });

  it('lets a job whose signal aborts while it waits leave the line: it never runs, the next takes its turn', async () => {
    const limiter = createLimiter(1);
    const { job, started, finish } = heldJobs();
    const stop = new AbortController();
    void limiter.run(job('a'));
    const waiting = limiter.run(job('b'), stop.signal);
    void limiter.run(job('c'));
    stop.abort();
    await expect(waiting).rejects.toMatchObject({ kind: 'aborted' });
    finish('a');
    await flush();
    expect(started).toEqual(['a', 'c']);
  });

  it('refuses a job whose signal has aborted already, and frees the place of one that fails or throws', async () => {
    const limiter = createLimiter(1);
    const { job, started, fail } = heldJobs();
    await expect(limiter.run(job('never'), AbortSignal.abort())).rejects.toMatchObject({ kind: 'aborted' });
    const failing = limiter.run(job('a'));
    const throwing = limiter.run(() => {
      throw new Error('at once');
    });
    const last = limiter.run(async () => 'last');
    fail('a');
    await expect(failing).rejects.toThrow('a');
    await expect(throwing).rejects.toThrow('at once');
    await expect(last).resolves.toBe('last');
    expect(started).toEqual(['a']);
  });
});
