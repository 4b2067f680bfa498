// @vitest-environment node
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { UPLOAD_PATH } from '../../src/core/protocol';
import { makePng } from '../fixtures';
import { formOf, killCliServers, startCli, startStalledUpload } from './helpers';

let dataDir: string | undefined;

afterEach(async () => {
  await killCliServers();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
  dataDir = undefined;
});

async function runCli(args: string[], env: Record<string, string>) {
  dataDir ??= await mkdtemp(join(tmpdir(), 'upload-cli-'));
  return startCli(args, { DATA_DIR: dataDir, ...env });
}

function uploadPng(url: string, token: string) {
  return fetch(url + UPLOAD_PATH, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}` },
    body: formOf({ qqfile: { bytes: makePng(), type: 'image/png' } }),
  });
}

describe('server/main.ts', () => {
  it('reads the environment, prints its URL, token and data folder, and stops on SIGTERM', async () => {
    const cli = await runCli([], { PORT: '0', UPLOAD_TOKEN: 'env-token', HOST: '127.0.0.1' });
    expect(cli.token).toBe('env-token');
    expect(cli.dataDir).toBe(dataDir);
    expect((await uploadPng(cli.url, 'env-token')).status).toBe(200);

    cli.proc.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
  }, 20_000);

  it('lets flags win over the environment, and stops on SIGINT', async () => {
    const cli = await runCli(['--port', '0', '--token', 'flag-token'], { PORT: '1', UPLOAD_TOKEN: 'env-token' });
    expect(cli.token).toBe('flag-token');
    expect(cli.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await uploadPng(cli.url, 'env-token')).status).toBe(401);
    expect((await uploadPng(cli.url, 'flag-token')).status).toBe(200);

    cli.proc.kill('SIGINT');
    expect(await cli.exited).toBe(0);
  }, 20_000);

  it('takes the request timeout and the upload limit from a flag or the environment', async () => {
    const cli = await runCli(['--port', '0', '--max-concurrent-uploads', '1'], {
      REQUEST_TIMEOUT_MS: '300',
      MAX_CONCURRENT_UPLOADS: '5',
    });
    const stalled = startStalledUpload(cli.url + UPLOAD_PATH, cli.token);
    await expect.poll(async () => (await readdir(join(cli.dataDir, 'files'))).length).toBe(1);
    expect((await uploadPng(cli.url, cli.token)).status).toBe(429);
    expect(await stalled.closed).toMatch(/^HTTP\/1\.1 408 .*within 0\.3 s/s);
    expect((await uploadPng(cli.url, cli.token)).status).toBe(200);
  }, 20_000);

  it('explains a bad setting instead of starting', async () => {
    await expect(runCli(['--port', 'eighty'], {})).rejects.toThrow(/port must be a whole number, not "eighty"/);
    await expect(runCli([], { PORT: '0', MAX_CONCURRENT_UPLOADS: '0' })).rejects.toThrow(
      /upload limit must be a whole number of at least 1, not "0"/,
    );
    await expect(runCli(['--port', '0', '--request-timeout-ms', '1.5'], {})).rejects.toThrow(
      /request timeout must be a whole number/,
    );
    await expect(runCli(['--port', '0', '--stale-upload-ms', '0'], {})).rejects.toThrow(
      /stale upload age must be a whole number of at least 1, not "0"/,
    );
    await expect(runCli([], { PORT: '0', MAX_CHUNKED_FILE_BYTES: 'lots' })).rejects.toThrow(
      /chunked file limit must be a whole number/,
    );
  }, 20_000);
});
