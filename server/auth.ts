import { createHash, timingSafeEqual } from 'node:crypto';
import { HttpError } from './http';

export function checkToken(authorization: string | undefined, token: string): void {
  if (!authorization) {
    throw new HttpError(401, 'The Authorization header is missing; send "Authorization: Bearer <token>".', {
      'WWW-Authenticate': 'Bearer',
    });
  }
  const given = /^Bearer\s+(.+)$/i.exec(authorization)?.[1]?.trim();
  if (given === undefined) {
    throw new HttpError(401, 'The Authorization header must be "Bearer <token>".', { 'WWW-Authenticate': 'Bearer' });
  }
  // Compared as digests so the time taken says nothing about how much of the token was right.
  const digest = (value: string) => createHash('sha256').update(value).digest();
  if (!timingSafeEqual(digest(given), digest(token))) {
    throw new HttpError(401, 'The bearer token is not valid.', { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
  }
}
