import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { startServer, type ServerOptions } from '../../server/app';
import type { StoredUpload } from '../../server/store';
import { fieldName, uploadUrl } from '../../src/core/protocol';
import { sendForm } from '../../src/core/send';
import { pngFile } from '../fixtures';

export const TEST_TOKEN = 'test-token';

/** The real reference server on an ephemeral loopback port, with an empty data folder of its own. */
export async function startReferenceServer(
  options: Pick<ServerOptions, 'maxBodyBytes' | 'staleUploadMs' | 'maxChunkedFileBytes'> = {},
) {
  const dataDir = await mkdtemp(join(tmpdir(), 'rtu-test-'));
  const server = await startServer({ port: 0, token: TEST_TOKEN, dataDir, ...options });
  return {
    url: server.url,
    token: TEST_TOKEN,
    dataDir,
    /** Uploads a media the way an app does before its thumbnail, and gives its `file_uuid`. */
    async createMedia(): Promise<string> {
      const body = new FormData();
      body.append(fieldName('file'), pngFile('media.png', 8, 6), 'media.png');
      const answer = await sendForm({
        url: uploadUrl(server.url),
        body,
        headers: { Authorization: `Bearer ${TEST_TOKEN}` },
      });
      return String(answer.file_uuid);
    },
    /** The record the server keeps of one upload (`meta/<uuid>.json`). */
    async record(uuid: string): Promise<StoredUpload> {
      return JSON.parse(await readFile(join(dataDir, 'meta', `${uuid}.json`), 'utf8')) as StoredUpload;
    },
    /** The bytes the server stored for an upload. */
    async storedBytes(uuid: string): Promise<Uint8Array> {
      const { storedName } = await this.record(uuid);
      return new Uint8Array(await readFile(join(dataDir, 'files', storedName)));
    },
    /** Metadata of every stored thumbnail, as the server recorded it. */
    async thumbnails(): Promise<Array<Record<string, unknown>>> {
      const metaDir = join(dataDir, 'meta');
      const names = (await readdir(metaDir)).filter((name) => name.endsWith('.json'));
      const records = await Promise.all(
        names.map(async (name) => JSON.parse(await readFile(join(metaDir, name), 'utf8')) as Record<string, unknown>),
      );
      return records.filter((record) => record.kind === 'thumbnail');
    },
    async close() {
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export type ReferenceServer = Awaited<ReturnType<typeof startReferenceServer>>;

/** For a test file: the reference server and one media to attach thumbnails to, started before its tests, closed after. */
export function withReferenceServer(ready: (server: ReferenceServer, parentUuid: string) => void): void {
  let server: ReferenceServer | undefined;
  beforeAll(async () => {
    server = await startReferenceServer();
    ready(server, await server.createMedia());
  });
  afterAll(() => server?.close());
}
