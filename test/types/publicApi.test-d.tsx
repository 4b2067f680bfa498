/**
 * Type tests of the public API, checked by `tsc` in `npm test` (nothing here runs).
 * A `@ts-expect-error` whose line compiles fails the type check.
 */
import { expectTypeOf } from 'vitest';
import {
  AttachmentUploader,
  useAttachmentUpload,
  uploadMedia,
  type AttachmentResult,
  type AttachmentUploaderApi,
  type AttachmentUploaderProps,
  type ChunkCheckpoint,
  type MediaResult,
  ThumbnailUploader,
  UploaderProvider,
  useThumbnailUpload,
  useThumbnailUploader,
  uploadThumbnail,
  defaultLabels,
  type ButtonGetterProps,
  type ErrorLabelParams,
  type ThumbnailResult,
  type ThumbnailUploaderApi,
  type ThumbnailUploaderLabels,
  type ThumbnailUploaderProps,
  type UploadError,
  type UploadErrorDetails,
  type UploadErrorKind,
  type UploaderClassNames,
  type UploaderState,
} from '../../src';
import { uploadMedia as coreUploadMedia, uploadThumbnail as coreUpload } from '../../src/core';

expectTypeOf<UploadErrorKind>().toEqualTypeOf<
  'invalid-file' | 'too-large' | 'auth' | 'forbidden' | 'rejected' | 'server' | 'network' | 'aborted' | 'bad-response'
>();
expectTypeOf<UploadError['kind']>().toEqualTypeOf<UploadErrorKind>();
expectTypeOf<ThumbnailResult>().toEqualTypeOf<{ file_url: string; file_uuid: string; parent_file_uuid: string }>();
expectTypeOf<ThumbnailUploaderProps['onUploaded']>().toEqualTypeOf<((result: ThumbnailResult) => void) | undefined>();
expectTypeOf<ThumbnailUploaderProps['onError']>().toEqualTypeOf<((error: UploadError) => void) | undefined>();
expectTypeOf(uploadThumbnail).toEqualTypeOf(coreUpload);
expectTypeOf(uploadThumbnail).returns.resolves.toEqualTypeOf<ThumbnailResult>();

// Theming: one class slot per part, and nothing else.
expectTypeOf<keyof UploaderClassNames>().toEqualTypeOf<
  | 'root'
  | 'media'
  | 'image'
  | 'file'
  | 'hint'
  | 'progress'
  | 'bar'
  | 'alert'
  | 'actions'
  | 'button'
  | 'primaryButton'
  | 'status'
  | 'list'
  | 'item'
  | 'details'
>();
expectTypeOf<ThumbnailUploaderProps['classNames']>().toEqualTypeOf<UploaderClassNames | undefined>();
expectTypeOf<ThumbnailUploaderProps['unstyled']>().toEqualTypeOf<boolean | undefined>();

// Languages: complete English defaults; the error sentence is made from the error's details.
expectTypeOf(defaultLabels).toEqualTypeOf<ThumbnailUploaderLabels>();
expectTypeOf<ThumbnailUploaderLabels['locale']>().toBeString();
expectTypeOf<ThumbnailUploaderLabels['errors']>().toEqualTypeOf<
  Record<UploadErrorKind, (params: ErrorLabelParams) => string>
>();
expectTypeOf<ErrorLabelParams>().toMatchTypeOf<
  UploadErrorDetails & { kind: UploadErrorKind; formatBytes: (bytes: number) => string }
>();
expectTypeOf<UploadError['details']>().toEqualTypeOf<UploadErrorDetails>();
expectTypeOf<UploadErrorDetails['size']>().toEqualTypeOf<number | undefined>();

// Headless: state as a literal union, prop getters that take the page's props.
expectTypeOf<ThumbnailUploaderApi['state']>().toEqualTypeOf<UploaderState>();
expectTypeOf<ThumbnailUploaderApi['getCancelButtonProps']>().returns.toEqualTypeOf<ButtonGetterProps>();
expectTypeOf<ButtonGetterProps['type']>().toEqualTypeOf<'button'>();
expectTypeOf<ThumbnailUploaderApi['labels']>().toEqualTypeOf<ThumbnailUploaderLabels>();
expectTypeOf<ThumbnailUploaderApi['errorMessage']>().toBeString();

export function Headless() {
  const uploader = useThumbnailUploader({ parentUuid: 'media-1', labels: { choose: 'Choisir' } });
  expectTypeOf(uploader.result).toEqualTypeOf<ThumbnailResult | null>();
  return (
    <div {...uploader.getRootProps({ onKeyDown: (event) => event.preventDefault() })}>
      <input {...uploader.getInputProps()} />
      <button
        {...uploader.getButtonProps({
          onClick: (event) => expectTypeOf(event.currentTarget).toMatchTypeOf<HTMLButtonElement>(),
        })}
      >
        {uploader.labels.choose}
      </button>
      <div {...uploader.getProgressProps({ className: 'bar' })} />
      <p {...uploader.getStatusProps()}>{uploader.status}</p>
    </div>
  );
}

// Attachments: one result named as the server names it; the same parts, plus pause and resume.
expectTypeOf<MediaResult>().toEqualTypeOf<{ file_url: string; file_uuid: string }>();
expectTypeOf<AttachmentResult>().toEqualTypeOf<{ media: MediaResult; thumbnail?: ThumbnailResult }>();
expectTypeOf<AttachmentUploaderProps['onUploaded']>().toEqualTypeOf<((result: AttachmentResult) => void) | undefined>();
expectTypeOf<AttachmentUploaderProps['makeThumbnail']>().toEqualTypeOf<
  ((file: File) => Promise<Blob | File | undefined>) | undefined
>();
expectTypeOf<AttachmentUploaderProps['classNames']>().toEqualTypeOf<UploaderClassNames | undefined>();
expectTypeOf<AttachmentUploaderApi['state']>().toEqualTypeOf<UploaderState | 'paused'>();
expectTypeOf<AttachmentUploaderApi['media']>().toEqualTypeOf<MediaResult | null>();
expectTypeOf<AttachmentUploaderApi['getPauseButtonProps']>().returns.toEqualTypeOf<ButtonGetterProps>();
expectTypeOf<AttachmentUploaderApi['labels']['resume']>().toBeString();
expectTypeOf(uploadMedia).toEqualTypeOf(coreUploadMedia);
expectTypeOf(uploadMedia).parameter(0).toMatchTypeOf<{
  resume?: ChunkCheckpoint;
  onCheckpoint?: (checkpoint: ChunkCheckpoint) => void;
  resumeAfterReload?: false | { maxAgeMs?: number };
}>();

export function Attachments() {
  const attachment = useAttachmentUpload({ chunkSize: 1024 * 1024 });
  expectTypeOf(attachment.result).toEqualTypeOf<AttachmentResult | null>();
  return (
    <UploaderProvider baseUrl="https://api.example.test" token="t">
      <AttachmentUploader
        onUploaded={({ thumbnail }) => expectTypeOf(thumbnail?.parent_file_uuid).toEqualTypeOf<string | undefined>()}
        makeThumbnail={async () => new Blob()}
        labels={{ pause: 'Anhalten', errors: { network: () => 'Keine Verbindung.' } }}
      />
      <AttachmentUploader resume={false} labels={{ resuming: (name, percent) => `${name}: ${percent.toFixed(0)} %` }} />
      <AttachmentUploader resume={{ maxAgeMs: 60 * 60 * 1000 }} />
      {/* @ts-expect-error resume is false or its options: it is on by default */}
      <AttachmentUploader resume />
      {/* @ts-expect-error parentUuid belongs to thumbnails: an attachment's thumbnail gets its media's */}
      <AttachmentUploader parentUuid="media-1" />
      <button {...attachment.getResumeButtonProps()}>{attachment.labels.resume}</button>
    </UploaderProvider>
  );
}

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
      <ThumbnailUploader
        parentUuid="media-1"
        classNames={{ root: 'mine', primaryButton: 'mine mine--primary' }}
        labels={{ locale: 'de', uploading: (name) => `Lädt ${name}`, errors: { auth: () => 'Bitte neu anmelden.' } }}
      />
      {/* @ts-expect-error no such slot */}
      <ThumbnailUploader parentUuid="media-1" classNames={{ wrapper: 'x' }} />
      {/* @ts-expect-error a label with the file's name is a function */}
      <ThumbnailUploader parentUuid="media-1" labels={{ uploading: 'Uploading' }} />
      {/* @ts-expect-error errors are keyed by kind */}
      <ThumbnailUploader parentUuid="media-1" labels={{ errors: { 'timed-out': () => 'x' } }} />
    </UploaderProvider>
  );
}

// @ts-expect-error baseUrl is required
export const missingBaseUrl = <UploaderProvider token="t" />;
