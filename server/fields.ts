import { fieldName, type Field } from '../src/core/protocol';
import { HttpError } from './http';
import type { ReceivedFile, ReceivedForm } from './multipart';

/** A request's form as the handlers read it: every field and the file, named in messages as the client sent them. */
export interface FieldReader {
  /** The field's name with the server's prefix, for messages: `qqpartindex`. */
  name: (field: Field) => string;
  text: (field: Field) => string | undefined;
  /** A field that must be a whole number when present; undefined when absent. */
  wholeNumber: (field: Field) => number | undefined;
  /** The file the form carries, refused when missing or empty. */
  file: () => ReceivedFile;
  /** The file, checked against the size and MD5 the client declared. */
  verifiedFile: () => ReceivedFile;
  /** Refuses a declared `md5` that is malformed or differs from what the bytes received hash to. */
  checkMd5: (actual: string) => void;
}

/** The one reader of a form's fields: it alone knows the prefix. */
export function fieldReader({ fields, file }: ReceivedForm, prefix: string): FieldReader {
  const name = (field: Field) => fieldName(field, prefix);
  const wholeNumber = (field: Field) => {
    const value = fields.get(field);
    if (value === undefined) return undefined;
    if (!/^\d{1,15}$/.test(value)) {
      throw new HttpError(400, `The field ${name(field)} must be a whole number, not "${value}".`);
    }
    return Number(value);
  };
  const checkMd5 = (actual: string) => {
    const md5 = fields.get('md5')?.toLowerCase();
    if (md5 === undefined) return;
    if (!/^[0-9a-f]{32}$/.test(md5)) {
      throw new HttpError(400, `The field ${name('md5')} must be 32 hex digits, not "${md5}".`);
    }
    if (md5 !== actual) {
      throw new HttpError(400, `MD5 mismatch: ${name('md5')} is ${md5} but the bytes received hash to ${actual}.`);
    }
  };
  const received = () => {
    if (!file && fields.has('file')) {
      throw new HttpError(400, `The field ${name('file')} holds text; send it as a file part (a Blob in FormData).`);
    }
    if (!file) throw new HttpError(400, `The field ${name('file')} is missing; send the file in it.`);
    if (file.size === 0) throw new HttpError(400, `The file in ${name('file')} is empty.`);
    return file;
  };
  return {
    name,
    text: (field) => fields.get(field),
    wholeNumber,
    file: received,
    verifiedFile: () => {
      const verified = received();
      const totalFileSize = wholeNumber('totalfilesize');
      if (totalFileSize !== undefined && totalFileSize !== verified.size) {
        throw new HttpError(
          400,
          `Size mismatch: ${name('totalfilesize')} says ${totalFileSize} bytes but ${verified.size} arrived.`,
        );
      }
      checkMd5(verified.md5);
      return verified;
    },
    checkMd5,
  };
}
