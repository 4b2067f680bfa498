import { fieldName, type Field } from '../src/core/protocol';
import { HttpError } from './http';

/**
 * The protocol fields of one request, by their unprefixed name whichever spelling the client
 * used; messages name them with the server's prefix, the spelling its clients are told to send.
 */
export interface FieldReader {
  name(field: Field): string;
  has(field: Field): boolean;
  text(field: Field): string | undefined;
  /** Undefined when absent; anything but a whole number is refused (400). */
  wholeNumber(field: Field): number | undefined;
}

export function fieldReader(fields: Map<Field, string>, prefix: string): FieldReader {
  const name = (field: Field) => fieldName(field, prefix);
  return {
    name,
    has: (field) => fields.has(field),
    text: (field) => fields.get(field),
    wholeNumber(field) {
      const value = fields.get(field);
      if (value === undefined) return undefined;
      if (!/^\d{1,15}$/.test(value)) {
        throw new HttpError(400, `The field ${name(field)} must be a whole number, not "${value}".`);
      }
      return Number(value);
    },
  };
}
