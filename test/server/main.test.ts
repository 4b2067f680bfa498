// @vitest-environment node
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { UPLOAD_PATH } from '../../src/core/protocol';
import { makePng } from '../fixtures';
import { formOf } from './helpers';

const TSX = resolve('node_modules/tsx/dist/cli.mjs');
const READY = /^Reference upload API listening on (http:\/\/\S+) {2}token: (\S+) {2}data: (.+)$/m;

let child: ChildProcess | undefined;
let dataDir: string | undefined;

afterEach(async () => {
  if (child?.exitCode === null) child.kill('SIGKILL');
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** Runs `tsx server/main.ts` as `npm run server` does, and waits for its ready line. */
async function runCli(args: string[], env: Record<string, string>) {
  dataDir = await mkdtemp(join(tmpdir(), 'upload-cli-'));
  const proc = spawn(process.execPath, [TSX, 'server/main.ts', ...args], {
    env: { ...process.env, DATA_DIR: dataDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child = proc;
  let output = '';
  const ready = await new Promise<RegExpExecArray>((done, fail) => {
    const onData = (data: Buffer) => {
      output += data.toString();
      const match = READY.exec(output);
      if (match) done(match);
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.on('exit', (code) => fail(new Error(`The CLI exited with ${code} before it was ready:\n${output}`)));
  });
  const exited = new Promise<number | null>((done) => proc.on('exit', (code) => done(code)));
  return { url: ready[1]!, token: ready[2]!, dataDir: ready[3]!, proc, exited };
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
