import {
  errorSentence,
  formatBytes,
  type UploadError,
  type UploadErrorDetails,
  type UploadErrorKind,
} from '../core/errors';

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
export function englishErrorLabels(noun: 'image' | 'file'): ErrorLabels {
  return errorLabelsFrom(
    ({ formatBytes: format, message, ...params }) => errorSentence(params, format, noun) ?? message,
  );
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
