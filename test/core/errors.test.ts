import { errorForStatus, tooLargeError } from '../../src/core/errors';
import { formatBytes } from '../../src/core/format';
import { englishSentence } from '../../src/react/labels';

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
    expect(errorForStatus(400, 'Missing field qqparentuuid').message).toContain(': Missing field qqparentuuid.');
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

describe('error details, for sentences in other languages', () => {
  it('carry the file, its size and the limit; the short English message is made from them', () => {
    const error = tooLargeError('cat.png', 3 * 1024 * 1024, 2 * 1024 * 1024);
    expect(error.details).toEqual({ reason: 'file-too-large', fileName: 'cat.png', size: 3145728, limit: 2097152 });
    expect(error.message).toBe('Upload failed: file too large, 3 MB over 2 MB (cat.png).');
    expect(englishSentence({ kind: error.kind, ...error.details }, formatBytes, 'image')).toBe(
      'cat.png is 3 MB; the limit is 2 MB. Choose a smaller image.',
    );
  });

  it("carry the server's detail with the status", () => {
    expect(errorForStatus(413, 'Limit is 1 MB')).toMatchObject({ status: 413, details: { detail: 'Limit is 1 MB' } });
  });

  it('say "file" instead of "image" for a widget that takes any file', () => {
    expect(englishSentence({ kind: 'too-large', status: 413 }, formatBytes, 'file')).toBe(
      'The server refused the file as too large. Choose a smaller file.',
    );
    expect(englishSentence({ kind: 'invalid-file', reason: 'too-many-files' }, formatBytes, 'file')).toBe(
      'Drop one file at a time.',
    );
  });

  it('leave the sentence to the message when they do not say enough', () => {
    expect(englishSentence({ kind: 'invalid-file' }, formatBytes, 'image')).toBeUndefined();
  });
});

describe('formatBytes in other languages', () => {
  it.each([
    ['fr', 1536, '1,5 ko'],
    ['de', 10 * 1024 * 1024, '10 MB'],
  ])('in %s formats %i as %s', (locale, bytes, text) => {
    expect(formatBytes(bytes, locale).replace(/\s/g, ' ')).toBe(text);
  });
});
