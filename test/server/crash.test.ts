// @vitest-environment node
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer } from '../../server/app';
import { UPLOAD_PATH } from '../../src/core/protocol';
import { makePng, md5Of } from '../fixtures';
import { formOf, killCliServers, rawRequest, startCli, type FormValue } from './helpers';

let dataDir: string | undefined;

afterEach(async () => {
  await killCliServers();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

function upload(url: string, token: string, fields: Record<string, FormValue>) {
  return fetch(url + UPLOAD_PATH, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}` },
    body: formOf(fields),
  });
}

function fileFields(bytes: Uint8Array<ArrayBuffer>, type: string): Record<string, FormValue> {
  return { qqtotalfilesize: String(bytes.length), qqmd5: md5Of(bytes), qqfile: { bytes, type, name: 'f' } };
}

const tempFiles = async (dir: string) => (await readdir(dir)).filter((name) => name.endsWith('.tmp'));

/** Every stored file with its record, checked against it; fails on an orphan on either side. */
async function checkStore(dir: string) {
  const files = (await readdir(join(dir, 'files'))).sort();
  const records = await Promise.all(
    (await readdir(join(dir, 'meta'))).map(
      async (name) =>
        JSON.parse(await readFile(join(dir, 'meta', name), 'utf8')) as {
          storedName: string;
          size: number;
          md5: string;
        },
    ),
  );
  expect(files).toEqual(records.map((record) => record.storedName).sort());
  for (const record of records) {
    const bytes = await readFile(join(dir, 'files', record.storedName));
    expect({ name: record.storedName, size: bytes.length, md5: md5Of(bytes) }).toEqual({
      name: record.storedName,
      size: record.size,
      md5: record.md5,
    });
  }
  return records;
}

describe('crash safety', () => {
  it('recovers from SIGKILL mid-upload: no temp file, no file without its record, no file unlike its record, and works again', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'upload-crash-'));
    const filesDir = join(dataDir, 'files');
    const first = await startCli(['--port', '0'], { DATA_DIR: dataDir });

    const mediaRes = await upload(
      first.url,
      first.token,
      fileFields(new Uint8Array(randomBytes(64 * 1024)), 'video/mp4'),
    );
    const media = (await mediaRes.json()) as { file_uuid: string };
    expect(
      (await upload(first.url, first.token, { qqparentuuid: media.file_uuid, ...fileFields(makePng(), 'image/png') }))
        .status,
    ).toBe(200);

    // 8 MiB, 64 KiB every 20 ms: still arriving when the server is killed.
    const big = new Uint8Array(randomBytes(8 * 1024 * 1024));
    const encoded = new Response(formOf(fileFields(big, 'video/mp4')));
    const body = new Uint8Array(await encoded.arrayBuffer());
    const piece = 64 * 1024;
    const sending = rawRequest(first.url + UPLOAD_PATH, {
      method: 'POST',
      headers: { Authorization: `Bearer ${first.token}`, 'Content-Type': encoded.headers.get('content-type')! },
      chunks: Array.from({ length: Math.ceil(body.length / piece) }, (_, i) =>
        body.subarray(i * piece, (i + 1) * piece),
      ),
      chunkDelayMs: 20,
    }).catch((error: unknown) => error);
    const tempSize = async () => {
      const [name] = await tempFiles(filesDir);
      return name === undefined ? 0 : (await stat(join(filesDir, name))).size;
    };
    await expect.poll(tempSize, { timeout: 10_000 }).toBeGreaterThan(1024 * 1024);

    first.proc.kill('SIGKILL');
    expect(await first.exited).toBeNull();
    expect(await sending).toBeInstanceOf(Error); // no answer ever came
    expect(await tempFiles(filesDir)).toHaveLength(1); // the half upload the restart must sweep

    const second = await startCli(['--port', '0'], { DATA_DIR: dataDir });
    expect(await tempFiles(filesDir)).toEqual([]);
    expect(await tempFiles(join(dataDir, 'meta'))).toEqual([]);
    expect(await checkStore(dataDir)).toHaveLength(2);

    // Works again, on the media stored before the crash.
    const png = makePng(6, 6);
    const res = await upload(second.url, second.token, {
      qqparentuuid: media.file_uuid,
      ...fileFields(png, 'image/png'),
    });
    expect(res.status).toBe(200);
    const { file_url } = (await res.json()) as { file_url: string };
    expect(new Uint8Array(await (await fetch(file_url)).arrayBuffer())).toEqual(png);
    expect(await checkStore(dataDir)).toHaveLength(3);

    second.proc.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  }, 30_000);

  it('sweeps at start-up the temp files and the stored files whose record was never written', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'upload-sweep-'));
    const kept = await startServer({ port: 0, dataDir });
    const res = await upload(kept.url, kept.token, fileFields(makePng(), 'image/png'));
    const { file_uuid } = (await res.json()) as { file_uuid: string };
    await kept.close();

    // What a kill between the file's rename and the record's leaves, plus temp files in both folders.
    const orphan = `${randomUUID()}.png`;
    await writeFile(join(dataDir, 'files', orphan), makePng());
    await writeFile(join(dataDir, 'files', `.${randomUUID()}.tmp`), 'half');
    await writeFile(join(dataDir, 'meta', `.${randomUUID()}.tmp`), '{"half');
    await writeFile(join(dataDir, 'files', 'notes.txt'), 'not ours: left alone');
    await mkdir(join(dataDir, 'files', 'sub'));

    const again = await startServer({ port: 0, dataDir });
    try {
      expect((await readdir(join(dataDir, 'files'))).sort()).toEqual([`${file_uuid}.png`, 'notes.txt', 'sub'].sort());
      expect(await readdir(join(dataDir, 'meta'))).toEqual([`${file_uuid}.json`]);
      expect((await fetch(`${again.url}/files/${file_uuid}.png`)).status).toBe(200);
      expect((await fetch(`${again.url}/files/${orphan}`)).status).toBe(404);
    } finally {
      await again.close();
    }
  });
});
