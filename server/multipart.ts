import { createHash, type Hash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import busboy from 'busboy';
import { FIELDS, fieldName, type Field } from '../src/core/protocol';
import { HttpError } from './http';
import { SNIFF_BYTES } from '../src/core/sniff';

/**
 * The uploaded file, complete and on disk: under a temporary name the caller now owns, or written
 * in place into a file that `placeFile` named (`placedAt`).
 */
export interface ReceivedFile {
  tempPath: string;
  /** Where in `tempPath` the bytes were written, when `placeFile` chose the place; the file is not the caller's to delete. */
  placedAt?: number;
  size: number;
  /** The MD5 of the bytes; '' for a file written in place, which is hashed (if at all) into `place.hash`. */
  md5: string;
  /** The MD5 under way, to go on from: of these bytes, or of `place.hash` with them. */
  running?: Hash;
  /** The first bytes, for sniffing the type. */
  head: Buffer;
  /** Name and type from the part's own headers, used when the form fields do not say. */
  partName: string;
  partType: string;
}

export interface ReceivedForm {
  /** Protocol fields by their unprefixed name, whichever spelling the client used. */
  fields: Map<Field, string>;
  /** Every text field exactly as sent, kept in the record so tests can check what a client posts. */
  sentFields: Record<string, string>;
  file: ReceivedFile | undefined;
}

/** A region of an existing file that a file part is written into. */
export interface FilePlace {
  path: string;
  start: number;
  maxBytes: number;
  /** The MD5 of what comes before the region, which the bytes go on; without it they are not hashed. */
  hash?: Hash;
}

export interface ReceiveOptions {
  prefix: string;
  maxFileBytes: number;
  tempFilePath: () => string;
  /**
   * Asked, with the fields sent before the file, where to write it: a region of an existing file
   * (`start`, at most `maxBytes` long), or undefined for a temporary file.
   */
  placeFile?: (fields: Map<Field, string>) => Promise<FilePlace | undefined>;
  /** Aborting it stops the read; the promise rejects with the signal's reason (an HttpError). */
  signal?: AbortSignal;
}

/**
 * Reads a multipart body, streaming the file to a temporary file (or where `placeFile` says) while
 * its MD5 is computed.
 * Both the prefixed (`qqfile`) and the unprefixed (`file`) names are accepted, since later
 * versions of the API dropped the prefix. Rejects with an HttpError, never leaving a temp file.
 */
export async function receiveForm(req: IncomingMessage, options: ReceiveOptions): Promise<ReceivedForm> {
  const names = new Map<string, Field>();
  for (const field of FIELDS) {
    names.set(fieldName(field, ''), field);
    names.set(fieldName(field, options.prefix), field);
  }
  const fileFieldNames = [...new Set([fieldName('file', options.prefix), fieldName('file', '')])].join(' or ');

  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: req.headers,
      defParamCharset: 'utf8',
      limits: { fileSize: options.maxFileBytes, fieldSize: 64 * 1024, parts: 100 },
    });
  } catch (error) {
    throw new HttpError(400, `The multipart/form-data body cannot be read: ${(error as Error).message}.`);
  }

  const fields = new Map<Field, string>();
  const sentFields = new Map<string, string>();
  let upload: { tempPath?: string; written: Promise<ReceivedFile> } | undefined;

  const parsed = new Promise<void>((resolve, reject) => {
    parser.on('field', (name, value, info) => {
      if (info.valueTruncated) reject(new HttpError(400, `The field ${name} is too long.`));
      sentFields.set(name, value);
      const field = names.get(name);
      if (field !== undefined) fields.set(field, value);
    });
    parser.on('file', (name, stream, info) => {
      if (names.get(name) !== 'file') {
        stream.resume();
        return;
      }
      if (upload) {
        stream.resume();
        reject(new HttpError(400, `Send one file per request; ${fileFieldNames} came twice.`));
        return;
      }
      stream.on('limit', () =>
        reject(new HttpError(413, `The file is larger than this server accepts (${options.maxFileBytes} bytes).`)),
      );
      // Registered before the write: a broken body is the client's fault (400); only errors of
      // the write itself (disk full, …) reach the catch below and become a 500.
      stream.once('error', (error: Error) => reject(malformed(error)));
      const current: { tempPath?: string } = {};
      const written = (async () => {
        const place = await options.placeFile?.(fields);
        if (place) return writeFile(stream, info, place.path, place);
        current.tempPath = options.tempFilePath();
        return writeFile(stream, info, current.tempPath);
      })();
      upload = Object.assign(current, { written });
      written.catch(reject);
    });
    parser.on('partsLimit', () => reject(new HttpError(400, 'The form has too many parts.')));
    parser.on('error', (error: Error) => reject(malformed(error)));
    parser.on('close', resolve);
    req.on('close', () => {
      if (!req.complete) reject(new HttpError(400, 'The request ended before its body was complete.'));
    });
    const { signal } = options;
    if (signal?.aborted) reject(signal.reason);
    signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
    req.pipe(parser);
  });

  try {
    await parsed;
    return { fields, sentFields: Object.fromEntries(sentFields), file: await upload?.written };
  } catch (error) {
    req.unpipe(parser);
    parser.destroy();
    if (upload) {
      // Wait until the write stream is closed: deleting earlier could race its creation.
      await upload.written.catch(() => undefined);
      if (upload.tempPath) await rm(upload.tempPath, { force: true });
    }
    throw error;
  }
}

const malformed = (error: Error) => new HttpError(400, `The multipart/form-data body is malformed: ${error.message}.`);

/** Writes the file part where `place` says: a new temp file, or its region of an existing file. */
async function writeFile(
  stream: Readable,
  info: busboy.FileInfo,
  path: string,
  place?: FilePlace,
): Promise<ReceivedFile> {
  const hash = place ? place.hash : createHash('md5');
  let size = 0;
  let head = Buffer.alloc(0);
  const file = createWriteStream(path, place ? { flags: 'r+', start: place.start } : { flags: 'wx' });
  try {
    await pipeline(
      stream,
      async function* (chunks: AsyncIterable<Buffer>) {
        for await (const chunk of chunks) {
          hash?.update(chunk);
          size += chunk.length;
          // Written in place, a part longer than its region would overwrite the next one: the rest is read, not written.
          if (place && size > place.maxBytes) continue;
          if (head.length < SNIFF_BYTES) head = Buffer.concat([head, chunk.subarray(0, SNIFF_BYTES - head.length)]);
          yield chunk;
        }
      },
      file,
    );
  } catch (error) {
    // pipeline rejects on the first error, possibly before the file is even created; the caller
    // deletes it once this settles, so settle only when the file is closed.
    if (!file.closed) await new Promise<void>((closed) => file.once('close', () => closed()));
    throw error;
  }
  if (place && size > place.maxBytes) {
    throw new HttpError(400, `The part is larger than its ${place.maxBytes} bytes; send the file's own parts.`);
  }
  return {
    tempPath: path,
    ...(place && { placedAt: place.start }),
    size,
    running: place ? hash : hash?.copy(),
    md5: place ? '' : (hash?.digest('hex') ?? ''),
    head,
    partName: info.filename ?? '',
    partType: info.mimeType,
  };
}
