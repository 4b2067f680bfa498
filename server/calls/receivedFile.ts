import type { FieldReader } from '../fields';
import { HttpError } from '../http';
import type { ReceivedFile } from '../multipart';
import type { UploadForm } from './call';

/** The file the form carries, refused when missing or empty. */
export function receivedFile({ fields, file }: UploadForm): ReceivedFile {
  const name = fields.name('file');
  if (!file && fields.has('file')) {
    throw new HttpError(400, `The field ${name} holds text; send it as a file part (a Blob in FormData).`);
  }
  if (!file) throw new HttpError(400, `The field ${name} is missing; send the file in it.`);
  if (file.size === 0) throw new HttpError(400, `The file in ${name} is empty.`);
  return file;
}

/** The file, checked against the size and MD5 the client declared. */
export function verifiedFile(form: UploadForm): ReceivedFile {
  const file = receivedFile(form);
  const { fields } = form;
  checkSize(fields.name('totalfilesize'), fields.wholeNumber('totalfilesize'), file.size);
  checkMd5(fields, file.md5);
  return file;
}

/** Refuses a size the client declared in the field `name` other than the bytes that arrived. */
export function checkSize(name: string, declared: number | undefined, actual: number): void {
  if (declared !== undefined && declared !== actual) {
    throw new HttpError(400, `Size mismatch: ${name} says ${declared} bytes but ${actual} arrived.`);
  }
}

/** Refuses a declared `md5` that is malformed or differs from what the bytes received hash to. */
export function checkMd5(fields: FieldReader, actual: string): void {
  const md5 = fields.text('md5')?.toLowerCase();
  if (md5 === undefined) return;
  const name = fields.name('md5');
  if (!/^[0-9a-f]{32}$/.test(md5)) throw new HttpError(400, `The field ${name} must be 32 hex digits, not "${md5}".`);
  if (md5 !== actual) {
    throw new HttpError(400, `MD5 mismatch: ${name} is ${md5} but the bytes received hash to ${actual}.`);
  }
}
