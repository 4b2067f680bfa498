/**
 * Type tests of `react-thumbnail-uploader/testing`, checked by `tsc` in `npm test` (nothing here runs).
 * A `@ts-expect-error` whose line compiles fails the type check.
 */
import type { HttpHandler } from 'msw';
import { expectTypeOf } from 'vitest';
import { mockUploadApi, type QueuedFault, type ReceivedRequest, type UploadCallKind } from '../../src/testing';

const api = mockUploadApi({ baseUrl: 'https://community.example', fieldPrefix: '', token: 't' });
expectTypeOf(api.handlers).toEqualTypeOf<HttpHandler[]>();
expectTypeOf(api.requests).toEqualTypeOf<ReceivedRequest[]>();
expectTypeOf(api.reset).toEqualTypeOf<() => void>();
expectTypeOf<ReceivedRequest['call']>().toEqualTypeOf<'media' | 'part' | 'done' | 'thumbnail'>();
expectTypeOf<ReceivedRequest['file']>().toEqualTypeOf<File | null>();
expectTypeOf(api.fail({ call: 'thumbnail', status: 500 })).toEqualTypeOf<QueuedFault>();
expectTypeOf<UploadCallKind>().toEqualTypeOf<ReceivedRequest['call']>();

// @ts-expect-error: not a call of the family
api.fail({ call: 'chunk' });
// @ts-expect-error: a status is a number
api.fail({ status: '500' });
// @ts-expect-error: the prefix is a string
mockUploadApi({ fieldPrefix: null });
