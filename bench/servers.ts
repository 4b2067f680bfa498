/** The bench's own loopback server: the bundled bench page, and fixtures the page reads and writes. */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage } from 'node:http';
import { extname, join, sep } from 'node:path';
import { startFaultServer } from '../test/support/faultServer';
import { listenOnLoopback } from '../test/support/loopback';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.wasm': 'application/wasm',
  '.jpg': 'image/jpeg',
  '.png': 'image/png',
  '.bin': 'application/octet-stream',
};

const FIXTURE_NAME = /^(raw\/)?[a-z0-9][a-z0-9.-]*$/;

export interface BenchServer {
  url: string;
  close(): Promise<void>;
}

/** GET serves `pageDir`, and `fixturesDir` under /fixtures/; PUT /fixtures/raw/<name> stores what the page made. */
export async function serveBench(pageDir: string, fixturesDir: string): Promise<BenchServer> {
  await mkdir(join(fixturesDir, 'raw'), { recursive: true });
  const server = createServer((req, res) => {
    handle(req).then(
      ({ status, body, type }) =>
        res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' }).end(body),
      (error: unknown) => res.writeHead(500, { 'Content-Type': 'text/plain' }).end(String(error)),
    );
  });

  async function handle(req: IncomingMessage): Promise<{ status: number; body?: Buffer | string; type: string }> {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://bench').pathname);
    if (path.startsWith('/fixtures/')) {
      const name = path.slice('/fixtures/'.length);
      if (!FIXTURE_NAME.test(name)) return { status: 400, body: 'bad fixture name', type: 'text/plain' };
      const file = join(fixturesDir, name);
      if (req.method === 'PUT' && name.startsWith('raw/')) {
        const chunks: Buffer[] = [];
        for await (const chunk of req) chunks.push(chunk as Buffer);
        await writeFile(file, Buffer.concat(chunks));
        return { status: 204, type: 'text/plain' };
      }
      return readOrMissing(file);
    }
    const file = join(pageDir, path.endsWith('/') ? `${path}index.html` : path);
    if (!file.startsWith(pageDir + sep)) return { status: 403, type: 'text/plain' };
    return readOrMissing(file);
  }

  return listenOnLoopback(server);
}

async function readOrMissing(file: string): Promise<{ status: number; body?: Buffer; type: string }> {
  try {
    return {
      status: 200,
      body: await readFile(file),
      type: CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
    };
  } catch {
    return { status: 404, type: 'text/plain' };
  }
}

/**
 * A trivial upload sink on loopback: reads every POST body to its end, throws it away and answers a
 * part's JSON, so that what a browser pays per request is measured without any server's work.
 */
export async function serveSink(): Promise<BenchServer> {
  const answer = JSON.stringify({ file_uuid: '00000000-0000-4000-8000-000000000000' });
  return startFaultServer((req, res) => {
    req.on('end', () => res.writeHead(200, { 'Content-Type': 'application/json' }).end(answer));
    req.resume();
  });
}
