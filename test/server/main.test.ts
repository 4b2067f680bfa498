// @vitest-environment node
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { UPLOAD_PATH } from '../../src/core/protocol';
import { makePng } from '../fixtures';
import { formOf, killCliServers, startCli } from './helpers';

let dataDir: string | undefined;

afterEach(async () => {
  await killCliServers();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function runCli(args: string[], env: Record<string, string>) {
  dataDir = await mkdtemp(join(tmpdir(), 'upload-cli-'));
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

  it('explains a bad setting instead of starting', async () => {
    await expect(runCli(['--port', 'eighty'], {})).rejects.toThrow(/port must be a whole number, not "eighty"/);
  }, 20_000);
});
