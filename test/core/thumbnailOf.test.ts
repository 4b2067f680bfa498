// @vitest-environment node
import { attachmentTask, thumbnailOf } from '../../src/core/attachment';
import { detailedError } from '../../src/core/errors';
import { drawFilePicture } from '../../src/core/filePicture';
import { renderPdfPage } from '../../src/core/pdfPage';
import { prepareImage } from '../../src/core/prepare';
import { captureVideoFrame } from '../../src/core/videoFrame';
import { md5Hex } from '../../src/core/md5';
import { md5Of } from '../fixtures';

// The makers draw on canvases or run pdf.js: here they are fakes that say they were chosen. The
// choice between them, the naming and the line are the real code.
vi.mock('../../src/core/prepare', async (original) => ({
  ...(await original<typeof import('../../src/core/prepare')>()),
  prepareImage: vi.fn(async (file: File) => new File([PNG], `small-${file.name}`, { type: 'image/png' })),
}));
vi.mock('../../src/core/videoFrame', () => ({
  captureVideoFrame: vi.fn(async (_: File, { onDuration }: { onDuration: (seconds: number) => void }) => {
    onDuration(12.5);
    return new File([JPEG], 'clip.jpg', { type: 'image/jpeg' });
  }),
}));
vi.mock('../../src/core/pdfPage', () => ({ renderPdfPage: vi.fn(async () => new Blob([JPEG])) }));
// WebKit's case: asked for WebP, it encodes PNG.
vi.mock('../../src/core/filePicture', () => ({ drawFilePicture: vi.fn(async () => new Blob([PNG])) }));

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16]);
const PDF = new TextEncoder().encode('%PDF-1.7\n1 0 obj\n');

const files = {
  image: () => new File([PNG], 'photo.png', { type: 'image/png' }),
  video: () => new File([new Uint8Array(64)], 'clip.webm', { type: 'video/webm' }),
  // Known by its bytes, not its name or type.
  pdf: () => new File([PDF], 'scan.bin', { type: '' }),
  zip: () => new File([new Uint8Array([0x50, 0x4b, 3, 4])], 'photos.zip', { type: 'application/zip' }),
};

/** Which maker made the picture. */
function chosen() {
  const calls = {
    prepareImage: vi.mocked(prepareImage).mock.calls.length,
    captureVideoFrame: vi.mocked(captureVideoFrame).mock.calls.length,
    renderPdfPage: vi.mocked(renderPdfPage).mock.calls.length,
    drawFilePicture: vi.mocked(drawFilePicture).mock.calls.length,
  };
  return Object.keys(calls).filter((name) => calls[name as keyof typeof calls] > 0);
}

beforeEach(() => {
  vi.clearAllMocks();
  // Past the guard for Node and jsdom; nothing draws on it here.
  vi.stubGlobal('OffscreenCanvas', function OffscreenCanvas() {});
});

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('thumbnailOf chooses', () => {
  it('an image: scaled once, with maxDimension and quality', async () => {
    const picture = await thumbnailOf(files.image(), { maxDimension: 300, quality: 0.5 }).picture;
    expect(picture?.name).toBe('small-photo.png');
    expect(chosen()).toEqual(['prepareImage']);
    expect(prepareImage).toHaveBeenCalledWith(
      files.image(),
      expect.objectContaining({ maxDimension: 300, quality: 0.5 }),
    );
  });

  it('a video: a frame, and its length on the job', async () => {
    const job = thumbnailOf(files.video());
    expect((await job.picture)?.name).toBe('clip.jpg');
    expect(job.duration).toBe(12.5);
    expect(chosen()).toEqual(['captureVideoFrame']);
  });

  it('a video this browser cannot play: a generated picture, and no error', async () => {
    vi.mocked(captureVideoFrame).mockRejectedValueOnce(detailedError('invalid-file', { reason: 'video-unreadable' }));
    const job = thumbnailOf(new File([new Uint8Array(64)], 'IMG_0042.MOV', { type: 'video/quicktime' }));
    expect(await job.picture).toMatchObject({ name: 'IMG_0042-thumbnail.png', type: 'image/png' });
    expect(job.error).toBeUndefined();
    expect(vi.mocked(drawFilePicture)).toHaveBeenCalledTimes(1);
  });

  it('a PDF, known by its bytes: its first page, named after the file and its bytes', async () => {
    const picture = await thumbnailOf(files.pdf(), { maxDimension: 640 }).picture;
    expect(picture).toMatchObject({ name: 'scan-thumbnail.jpg', type: 'image/jpeg' });
    expect(chosen()).toEqual(['renderPdfPage']);
    expect(renderPdfPage).toHaveBeenCalledWith(
      files.pdf(),
      expect.objectContaining({ maxDimension: 640, quality: 0.85 }),
    );
  });

  it('a PDF pdf.js cannot draw: the generated picture', async () => {
    vi.mocked(renderPdfPage).mockRejectedValueOnce(new Error('PasswordException'));
    const picture = await thumbnailOf(files.pdf()).picture;
    expect(picture?.name).toBe('scan-thumbnail.png');
    expect(chosen()).toEqual(['renderPdfPage', 'drawFilePicture']);
  });

  it('anything else: the generated picture, at most 512 px and maxDimension, its caption shortened', async () => {
    const name = `${'a very long name for an archive '.repeat(3)}.zip`;
    const picture = await thumbnailOf(new File([new Uint8Array(4)], name), { maxDimension: 200 }).picture;
    expect(picture).toMatchObject({ name: `${name.slice(0, -4)}-thumbnail.png`, type: 'image/png' });
    expect(chosen()).toEqual(['drawFilePicture']);
    expect(drawFilePicture).toHaveBeenCalledWith(expect.any(File), {
      size: 200,
      caption: expect.stringMatching(/^.{25}….zip$/),
    });
  });

  it('no picture for what needs a canvas where there is none (Node, jsdom)', async () => {
    vi.unstubAllGlobals();
    expect(await thumbnailOf(files.zip()).picture).toBeUndefined();
    expect(await thumbnailOf(files.pdf()).picture).toBeUndefined();
    expect(chosen()).toEqual([]);
  });

  it('no picture for an image that cannot be decoded, and the reason on the job', async () => {
    vi.mocked(prepareImage).mockRejectedValueOnce(detailedError('invalid-file', { reason: 'damaged' }));
    const job = thumbnailOf(files.image());
    expect(await job.picture).toBeUndefined();
    expect(job.error).toMatchObject({ kind: 'invalid-file' });
  });
});

describe("the app's makeThumbnail", () => {
  it.each(Object.entries(files))(
    'wins for %s when it gives a picture, which is scaled like any image',
    async (_, file) => {
      const makeThumbnail = vi.fn(async () => new Blob([PNG], { type: 'image/png' }));
      const picture = await thumbnailOf(file(), { makeThumbnail }).picture;
      expect(makeThumbnail).toHaveBeenCalledWith(file());
      // The app's picture, named after the file, then scaled (the fake prefixes its name).
      expect(picture?.name).toMatch(/^small-.*-thumbnail\.png$/);
      expect(chosen()).toEqual(['prepareImage']);
    },
  );

  it('lets the library make it when it gives nothing', async () => {
    const makeThumbnail = vi.fn(async () => undefined);
    expect((await thumbnailOf(files.pdf(), { makeThumbnail }).picture)?.name).toBe('scan-thumbnail.jpg');
    expect(chosen()).toEqual(['renderPdfPage']);
  });

  it('sends what is not an image as it is, for uploadThumbnail to refuse with its reason', async () => {
    const text = new Blob(['not a picture'], { type: 'text/plain' });
    const picture = await thumbnailOf(files.zip(), { makeThumbnail: async () => text }).picture;
    expect(picture).toMatchObject({ name: 'photos-thumbnail.jpg', size: text.size });
    expect(chosen()).toEqual([]);
  });
});

describe('thumbnail: false', () => {
  it('makes none, and asks the app for none', async () => {
    const makeThumbnail = vi.fn(async () => new Blob([PNG]));
    for (const file of Object.values(files)) {
      expect(await thumbnailOf(file(), { thumbnail: false, makeThumbnail }).picture).toBeUndefined();
    }
    expect(makeThumbnail).not.toHaveBeenCalled();
    expect(chosen()).toEqual([]);
  });
});

describe('the line of thumbnails', () => {
  it('makes two at a time in the order asked; one whose attachment is removed while it waits leaves the line', async () => {
    const started: string[] = [];
    const done = new Map<string, () => void>();
    const makeThumbnail = (file: File) =>
      new Promise<Blob>((resolve) => {
        started.push(file.name);
        done.set(file.name, () => resolve(new Blob([PNG])));
      });
    const removed = new AbortController();
    const jobs = ['1.png', '2.png', '3.png', '4.png'].map((name) =>
      thumbnailOf(new File([PNG], name), { makeThumbnail, signal: name === '3.png' ? removed.signal : undefined }),
    );
    await vi.waitFor(() => expect(started).toEqual(['1.png', '2.png']));
    removed.abort();
    done.get('2.png')!();
    await vi.waitFor(() => expect(started).toEqual(['1.png', '2.png', '4.png']));
    done.get('1.png')!();
    done.get('4.png')!();
    const pictures = await Promise.all(jobs.map((job) => job.picture));
    expect(pictures.map((picture) => picture?.name)).toEqual([
      'small-1-thumbnail.png',
      'small-2-thumbnail.png',
      undefined,
      'small-4-thumbnail.png',
    ]);
  });
});

describe("attachmentTask's check", () => {
  it('previews the prepared small picture, the one it sends, never the original', async () => {
    const preview = vi.fn();
    const task = attachmentTask({ baseUrl: 'https://community.example' });
    const original = files.image();
    const job = await task.check!(original, { signal: new AbortController().signal, preview });
    const picture = await job.picture;
    expect(picture?.name).toBe('small-photo.png');
    await vi.waitFor(() => expect(preview).toHaveBeenCalledExactlyOnceWith(picture));
  });

  it('hashes a file sent in one request while it waits its turn, so that its send reads it no more; a larger one is not', async () => {
    const task = attachmentTask({ baseUrl: 'https://community.example', chunkSize: 32_768 });
    const signal = new AbortController().signal;
    const small = readsOf(new File([new Uint8Array(20_000).fill(7)], 'small.bin'));
    const large = readsOf(new File([new Uint8Array(40_000).fill(7)], 'large.bin'));
    await task.check!(small.file, { signal, preview: () => undefined });
    await task.check!(large.file, { signal, preview: () => undefined });
    await vi.waitFor(() => expect(small.wholeReads()).toBe(1));
    expect(await md5Hex(small.file)).toBe(md5Of(new Uint8Array(20_000).fill(7)));
    expect(small.wholeReads()).toBe(1);
    expect(large.wholeReads()).toBe(0);
  });
});

/** Counts the reads of a whole file (the MD5's), apart from the sniffing of its first bytes. */
function readsOf(file: File) {
  let whole = 0;
  const slice = file.slice.bind(file);
  file.slice = (start?: number, end?: number, type?: string) => {
    if ((start ?? 0) === 0 && (end ?? file.size) >= file.size) whole += 1;
    return slice(start, end, type);
  };
  return { file, wholeReads: () => whole };
}
