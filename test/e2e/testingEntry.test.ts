/**
 * `react-thumbnail-uploader/testing` as an app installs it: the built package in an app's
 * node_modules beside the app's own msw, imported by name from a plain Node test script, and
 * kept out of the widget's files.
 */
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installBuiltPackage, linkFromRepo, runQuietly } from './support';

/** An app's test of its own upload call, in Node: setupServer with the mock's handlers. */
const APP_TEST = `
import { setupServer } from 'msw/node';
import { mockUploadApi } from 'react-thumbnail-uploader/testing';

const api = mockUploadApi({ baseUrl: 'https://community.example', fieldPrefix: '' });
const server = setupServer(...api.handlers);
server.listen({ onUnhandledRequest: 'error' });
const send = (form) =>
  fetch('https://community.example/api/v2/pm/upload/', { method: 'POST', body: form, headers: { Authorization: 'Bearer t' } });
const form = new FormData();
form.append('parentuuid', 'media-1');
form.append('file', new Blob([new Uint8Array([137, 80, 78, 71])], { type: 'image/png' }), 'cover.png');
api.fail({ call: 'thumbnail', status: 503, retryAfter: 1 });
const refused = await send(form);
const stored = await send(form);
console.log(JSON.stringify({
  refused: [refused.status, refused.headers.get('Retry-After')],
  stored: await stored.json(),
  calls: api.requests.map((request) => [request.call, request.file.name, request.status]),
}));
server.close();
`;

let work: string;
let installed: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'rtu-testing-entry-'));
  const modules = join(work, 'node_modules');
  installed = await installBuiltPackage(modules);
  await linkFromRepo(modules, ['msw']);
  await writeFile(join(work, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  await writeFile(join(work, 'upload.test.mjs'), APP_TEST);
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('react-thumbnail-uploader/testing, installed', () => {
  it("answers an app's requests by name, through package.json's exports, with the app's msw", async () => {
    const output = await runQuietly(process.execPath, ['upload.test.mjs'], { cwd: work });
    expect(JSON.parse(output)).toEqual({
      refused: [503, '1'],
      stored: {
        file_url: expect.stringMatching(/^https:\/\/community\.example\/files\/[0-9a-f-]{36}\.png$/),
        file_uuid: expect.any(String),
        parent_file_uuid: 'media-1',
      },
      calls: [
        ['thumbnail', 'cover.png', 503],
        ['thumbnail', 'cover.png', 200],
      ],
    });
  });

  it('is never imported by the widget: only dist/testing.js names msw', async () => {
    const dist = join(installed, 'dist');
    const scripts = (await readdir(dist)).filter((name) => name.endsWith('.js'));
    const namingMsw = [];
    for (const name of scripts)
      if (/from\s*["']msw|testing\.js/.test(await readFile(join(dist, name), 'utf8'))) namingMsw.push(name);
    expect(namingMsw).toEqual(['testing.js']);
  });
});
