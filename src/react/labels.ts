import type { UploadError, UploadErrorDetails, UploadErrorKind } from '../core/errors';
import type { RetryInfo } from '../core/retry';
import { formatBytes } from '../core/format';

/** What a widget takes, in its English sentences. */
type Noun = 'image' | 'file';

/** What a sentence about an error is made from: the error's details, its kind and status, and a size formatter. */
export interface ErrorLabelParams extends UploadErrorDetails {
  kind: UploadErrorKind;
  /** The HTTP status of the answer that failed, if there was one. */
  status?: number;
  /** The error's English message, for developers (the default labels fall back on it). */
  message: string;
  /** Bytes in the labels' `locale`, with `Intl.NumberFormat` ("1.5 kB", "1,5 ko"). */
  formatBytes: (bytes: number) => string;
}

/** The sentence a person is shown for one kind of error. */
export type ErrorLabel = (params: ErrorLabelParams) => string;

/** One sentence maker per error kind; branch on `params.reason` and `params.status` for finer ones. */
export type ErrorLabels = Record<UploadErrorKind, ErrorLabel>;

/** The strings both widgets show or announce; each widget adds its own. */
export interface UploaderLabels {
  /** BCP 47 language of these labels; sizes are formatted in it. @default 'en' */
  locale: string;
  /** Accessible name of the widget's group. */
  region: string;
  /** Beside the Choose button while nothing is chosen. */
  hint: string;
  /** Shown while a file is dragged over the widget. */
  dropHere: string;
  /** The button that opens the file picker. */
  choose: string;
  /** The same button once a file is chosen. */
  chooseAnother: string;
  /** Sends a chosen file (with `autoUpload: false`). */
  upload: string;
  /** Stops the upload under way. */
  cancel: string;
  /** Sends again after a failure that sending again may cure. */
  retry: string;
  /** Status note and progress bar name while sending. */
  uploading: (fileName: string) => string;
  /** Status note during an automatic retry: which try of how many. */
  retrying: (attempt: number, attempts: number) => string;
  /** Status note while the browser is offline: the upload waits, and goes on by itself once it is back. */
  offline: string;
  /** Status note once stored. */
  uploaded: (fileName: string) => string;
  /** Status note after Cancel. */
  cancelled: string;
  /** Status note when a file is dropped while another is being sent. */
  busy: string;
  /** Status note when several files were dropped and only one was taken; `reason` is the refusal's sentence. */
  partialDrop: (fileName: string, reason: string) => string;
  /** Alternative text of the preview. */
  previewAlt: (fileName: string) => string;
  /** Alternative text (and link name) of the stored image. */
  uploadedAlt: (fileName: string) => string;
  /** The sentence shown in the alert, per error kind. */
  errors: ErrorLabels;
}

/** The strings of a chunked upload that can be paused. */
export interface PauseLabels {
  /** Stops a chunked upload after the parts sent. */
  pause: string;
  /** Goes on with a paused upload from the next part. */
  resume: string;
  /** Status note while paused. */
  paused: (fileName: string) => string;
}

/** Labels as a prop: any of them, `errors` too, each missing one falls back to the English default. */
export type LabelOverrides<L extends UploaderLabels> = Partial<Omit<L, 'errors'>> & { errors?: Partial<ErrorLabels> };

/** English sentences for every kind, from the error's details; `noun` is what the widget takes. */
function englishErrorLabels(noun: Noun): ErrorLabels {
  return errorLabelsFrom(
    ({ formatBytes: format, message, ...params }) => englishSentence(params, format, noun) ?? message,
  );
}

/**
 * Both widgets' English labels: what they share, worded for what they take, and their own. Called
 * once per widget, marked pure where it is, so that a page carries only the labels of the widgets it uses.
 */
export function englishLabels<L extends UploaderLabels>(
  noun: Noun,
  own: Omit<L, keyof UploaderLabels> & Pick<UploaderLabels, 'region' | 'uploadedAlt'>,
): L {
  const an = noun === 'image' ? 'an' : 'a';
  const base: UploaderLabels = {
    locale: 'en',
    region: own.region,
    hint: `Drag ${an} ${noun} here, paste it, or`,
    dropHere: `Drop the ${noun} to upload it`,
    choose: `Choose ${noun}`,
    chooseAnother: `Choose another ${noun}`,
    upload: 'Upload',
    cancel: 'Cancel',
    retry: 'Retry',
    uploading: (name) => `Uploading ${name}`,
    retrying: (attempt, attempts) => `Retrying… (try ${attempt} of ${attempts})`,
    offline: 'Waiting for the connection…',
    uploaded: (name) => `${name} uploaded`,
    cancelled: 'Upload cancelled.',
    busy: `Cancel the current upload before choosing another ${noun}.`,
    partialDrop: (name, reason) => `Only ${name} was taken. ${reason}`,
    previewAlt: (name) => `Preview of ${name}`,
    uploadedAlt: own.uploadedAlt,
    errors: englishErrorLabels(noun),
  };
  return { ...base, ...own } as L;
}

/**
 * The `errors` labels made of one function for every kind, which branches on what the error
 * carries (`kind`, `reason`, sizes), as a translator usually writes them.
 */
export function errorLabelsFrom(sentence: ErrorLabel): ErrorLabels {
  return {
    'invalid-file': sentence,
    'too-large': sentence,
    auth: sentence,
    forbidden: sentence,
    rejected: sentence,
    server: sentence,
    network: sentence,
    aborted: sentence,
    'bad-response': sentence,
  };
}

export function mergeLabels<L extends UploaderLabels>(defaults: L, overrides: LabelOverrides<L> = {}): L {
  return { ...defaults, ...overrides, errors: { ...defaults.errors, ...overrides.errors } } as L;
}

/** The alert's sentence for an error, in the labels' language. */
/** The status note of an automatic retry, or of a wait for the connection. */
export function retryText(retry: RetryInfo, labels: UploaderLabels): string {
  return retry.offline ? labels.offline : labels.retrying(retry.attempt, retry.attempts);
}

export function errorText(error: UploadError, labels: UploaderLabels, fileName?: string): string {
  return labels.errors[error.kind]({
    fileName,
    ...error.details,
    kind: error.kind,
    status: error.status,
    message: error.message,
    formatBytes: (bytes) => formatBytes(bytes, labels.locale),
  });
}

const IMAGE_TYPES_SENTENCE = 'Choose a PNG, JPEG, GIF, WebP, AVIF or BMP image.';

/** What an English sentence about an error is made from. */
interface ErrorSentenceParams extends UploadErrorDetails {
  kind: UploadErrorKind;
  status?: number;
}

/**
 * The English sentence a person is shown for an error, or `undefined` when its details do not say
 * enough (the error's own message is then the sentence). `noun` is what the widget takes.
 */
export function englishSentence(
  { kind, status, reason, fileName, size, limit, detail, seconds }: ErrorSentenceParams,
  format: (bytes: number) => string,
  noun: Noun,
): string | undefined {
  const name = fileName || `This ${noun}`;
  const because = detail ? ` (${detail})` : '';
  if (reason === 'file-too-large' && size !== undefined && limit !== undefined)
    return `${name} is ${format(size)}; the limit is ${format(limit)}. Choose a smaller ${noun}.`;
  // `heic-unsupported` has no case: its error's own message is the sentence, made in the lazy image
  // pipeline (image.ts), so that the first load does not carry what only `heic: false` can show.
  switch (reason) {
    case 'empty':
      return `This file is empty. Choose ${noun === 'image' ? 'an image' : 'a file'} that has content.`;
    case 'not-an-image':
      return `${fileName || 'This file'} is not an image we can use. ${IMAGE_TYPES_SENTENCE}`;
    case 'damaged':
      return 'This image is damaged or incomplete and cannot be shown. Choose another copy of it.';
    case 'unpreparable':
      return 'This image could not be prepared for upload. Choose another image, or save it as a JPEG or PNG first.';
    case 'not-resumable':
      return 'This upload cannot be resumed with this file: it is not the file that was paused. Start the upload over.';
    case 'video-unreadable':
      return 'This video cannot be read in this browser, or it is damaged. Choose an MP4 or WebM video, or choose a picture for its thumbnail.';
    case 'no-picture':
      return 'This file has no picture to show. Choose a video, or a picture for its thumbnail.';
    case 'unreadable':
      return 'This file can no longer be read (was it moved or changed?). Choose it again.';
    case 'not-accepted':
      return `${name} is not one of the types this page accepts.`;
    case 'too-many-files':
      return `Drop one ${noun} at a time.`;
    case 'sign-in-failed':
      return 'Your sign-in could not be refreshed. Sign in again, then retry.';
    case 'no-parent':
      return 'This thumbnail has no media to belong to. Upload the media first, then its thumbnail.';
    case 'unreachable':
      return 'The upload could not reach the server. Check your connection and retry.';
    case 'stalled':
      return `The server stopped responding for ${seconds ?? 60} seconds. Check your connection and retry.`;
    case 'not-started':
      return 'The upload could not start. Reload the page and retry.';
    case 'missing-fields':
      return untrusted('is missing file_url, file_uuid or parent_file_uuid');
    case 'unsafe-url':
      return untrusted('has a file_url that is not a web address');
    case 'wrong-parent':
      return untrusted('names another media than the one sent');
  }
  if (reason === 'not-a-result' || (kind === 'bad-response' && status !== undefined))
    return 'The server answered something that is not an upload result. Retry later, or contact support if it keeps happening.';
  if (status === undefined) return undefined;
  if (status === 401) return 'Your session has expired. Sign in again, then retry.';
  if (status === 403) return 'You are not allowed to upload here. Ask the owner of the conversation for access.';
  if (status === 413) return `The server refused the ${noun} as too large${because}. Choose a smaller ${noun}.`;
  if (status === 415)
    return `The server does not accept this type of file${because}. ${noun === 'image' ? IMAGE_TYPES_SENTENCE : 'Choose a file of a type this page accepts.'}`;
  if (status === 408) return `The server took too long to receive the ${noun}. Check your connection and retry.`;
  if (status === 429) return 'The server is busy. Wait a moment, then retry.';
  if (status >= 500) return `The server failed to store the ${noun} (error ${status}). Retry in a moment.`;
  return `The server refused the upload${because}. Reload the page and try again; if it keeps failing, contact support.`;
}

function untrusted(what: string): string {
  return `The server's answer ${what}, so the upload cannot be trusted. Retry, or contact support if it keeps happening.`;
}
