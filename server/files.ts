import { open } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { HttpError } from './http';
import type { StoredUpload, UploadStore } from './store';

export const FILES_PATH = '/files/';

/** Where a stored file is served; `origin` is the server as the client reached it. */
export function fileUrl(origin: string, record: StoredUpload): string {
  return `${origin}${FILES_PATH}${record.storedName}`;
}

export async function serveFile(req: IncomingMessage, res: ServerResponse, store: UploadStore, encodedName: string) {
  let name: string;
  try {
    name = decodeURIComponent(encodedName);
  } catch {
    name = '';
  }
  const found = await store.findByStoredName(name);
  const file = found && (await open(found.path).catch(() => undefined));
  if (!found || !file) throw new HttpError(404, `No stored file is named ${JSON.stringify(name)}.`);
  const { size } = await file.stat();
  res.writeHead(200, {
    'Content-Type': found.record.type,
    'Content-Length': String(size),
    'X-Content-Type-Options': 'nosniff',
    // A media may declare any type, text/html included: never let it run as a page of this origin.
    'Content-Security-Policy': "sandbox; default-src 'none'; img-src 'self'; media-src 'self'",
    'Cross-Origin-Resource-Policy': 'cross-origin',
    // Stored names are never reused, so the bytes behind a URL never change.
    'Cache-Control': 'public, max-age=31536000, immutable',
  });
  if (req.method === 'HEAD') {
    await file.close();
    res.end();
    return;
  }
  await pipeline(file.createReadStream(), res);
}
