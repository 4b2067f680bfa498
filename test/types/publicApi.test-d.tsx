/**
 * Type tests of the public API, checked by `tsc` in `npm test` (nothing here runs).
 * A `@ts-expect-error` whose line compiles fails the type check.
 */
import { expectTypeOf } from 'vitest';
import {
  ThumbnailUploader,
  UploaderProvider,
  useThumbnailUpload,
  uploadThumbnail,
  type ThumbnailResult,
  type ThumbnailUploaderProps,
  type UploadError,
  type UploadErrorKind,
} from '../../src';
import { uploadThumbnail as coreUpload } from '../../src/core';

expectTypeOf<UploadErrorKind>().toEqualTypeOf<
  'invalid-file' | 'too-large' | 'auth' | 'forbidden' | 'rejected' | 'server' | 'network' | 'aborted' | 'bad-response'
>();
expectTypeOf<UploadError['kind']>().toEqualTypeOf<UploadErrorKind>();
expectTypeOf<ThumbnailResult>().toEqualTypeOf<{ file_url: string; file_uuid: string; parent_file_uuid: string }>();
expectTypeOf<ThumbnailUploaderProps['onUploaded']>().toEqualTypeOf<((result: ThumbnailResult) => void) | undefined>();
expectTypeOf<ThumbnailUploaderProps['onError']>().toEqualTypeOf<((error: UploadError) => void) | undefined>();
expectTypeOf(uploadThumbnail).toEqualTypeOf(coreUpload);
expectTypeOf(uploadThumbnail).returns.resolves.toEqualTypeOf<ThumbnailResult>();

export function Widgets() {
  const mutation = useThumbnailUpload();
  expectTypeOf(mutation.data).toEqualTypeOf<ThumbnailResult | undefined>();
  expectTypeOf(mutation.error).toEqualTypeOf<UploadError | null>();
  expectTypeOf(mutation.mutate).parameter(0).toMatchTypeOf<{ file: File; parentUuid: string }>();
  return (
    <UploaderProvider baseUrl="https://api.example.test" getToken={async () => 'token'}>
      <ThumbnailUploader parentUuid="media-1" onUploaded={(result) => expectTypeOf(result.file_url).toBeString()} />
      {/* @ts-expect-error parentUuid is required */}
      <ThumbnailUploader />
      {/* @ts-expect-error maxSize is a number of bytes */}
      <ThumbnailUploader parentUuid="media-1" maxSize="10MB" />
    </UploaderProvider>
  );
}

// @ts-expect-error baseUrl is required
export const missingBaseUrl = <UploaderProvider token="t" />;
