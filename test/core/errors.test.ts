import { errorForStatus, formatBytes } from '../../src/core/errors';

describe('errorForStatus', () => {
  it.each([
    [400, 'rejected', false],
    [401, 'auth', false],
    [403, 'forbidden', false],
    [404, 'rejected', false],
    [408, 'network', true],
    [413, 'too-large', false],
    [415, 'invalid-file', false],
    [429, 'server', true],
    [500, 'server', true],
    [503, 'server', true],
  ] as const)('maps %i to %s (retryable: %s)', (status, kind, retryable) => {
    expect(errorForStatus(status)).toMatchObject({ kind, status, retryable });
  });

  it('quotes the server reason without its trailing dot', () => {
    expect(errorForStatus(400, 'Missing field qqparentuuid').message).toContain('(Missing field qqparentuuid)');
  });
});

describe('formatBytes', () => {
  it.each([
    [0, '0 bytes'],
    [1023, '1,023 bytes'],
    [1536, '1.5 kB'],
    [10 * 1024 * 1024, '10 MB'],
  ])('formats %i as %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});
