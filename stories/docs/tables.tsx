/**
 * Tables of the docs pages, drawn from the code they document (the stylesheet, the default labels,
 * the English error sentences), so that a new property, label or reason shows up by itself. The
 * descriptions beside them are looked up by name: one not written yet leaves its cell empty.
 */
import { defaultLabels, type UploadErrorKind, type UploadErrorReason } from '../../src';
import { formatBytes } from '../../src/core/format';
import { englishSentence } from '../../src/react/labels';
import { customProperties } from './sources';

/** What each property colours or sizes, from the rules of ThumbnailUploader.css that read it. */
const PROPERTY_USES: Record<string, string> = {
  '--rtu-font': 'Font family of the widget and its buttons.',
  '--rtu-font-size': 'Base font size; the status line is 0.875em of it.',
  '--rtu-text': 'Text, and the text of the secondary buttons and of the file card.',
  '--rtu-muted': 'The hint, the status line, and the border while paused.',
  '--rtu-surface': 'Background of the widget and of the secondary buttons.',
  '--rtu-surface-alt':
    'Background while a file is dragged over, when disabled, behind the image, and of the file card.',
  '--rtu-track': 'Track of the progress bar.',
  '--rtu-border': 'The dashed border, and the borders of the secondary buttons.',
  '--rtu-accent':
    'Border while dragging, the progress bar, the primary buttons (Upload, Retry) and the link to the upload.',
  '--rtu-accent-text': 'Text on the primary buttons.',
  '--rtu-danger': 'Border in the error state, and the error message.',
  '--rtu-danger-surface': 'Background of the error message.',
  '--rtu-focus': 'Focus ring (3px, on :focus-visible) of the buttons and of the link to the upload.',
  '--rtu-radius': 'Corner radius; the image, buttons, message and file card take smaller ones from it.',
  '--rtu-gap': 'Space between the parts; inline padding of the message and file card.',
  '--rtu-padding': 'Space inside the border.',
  '--rtu-gap-small': 'Space between the buttons, block padding of the message and file card.',
  '--rtu-progress-height': 'Thickness of the progress bar.',
  '--rtu-button-padding': 'Padding of the buttons.',
  '--rtu-button-font-weight': 'Font weight of the buttons.',
  '--rtu-media-size': 'Side of the square preview and uploaded image.',
  '--rtu-width': 'Largest width of the widget; it fills a narrower container.',
  '--rtu-min-height': 'Smallest height of the widget.',
};

/** Every `--rtu-*` property of the stylesheet, with its light and dark defaults. */
export function CustomPropertiesTable() {
  return (
    <table>
      <thead>
        <tr>
          <th>property</th>
          <th>default (light)</th>
          <th>default (dark)</th>
          <th>what it sets</th>
        </tr>
      </thead>
      <tbody>
        {customProperties.map(({ name, light, dark }) => (
          <tr key={name}>
            <td>
              <code>{name}</code>
            </td>
            <td>
              <code>{light}</code>
            </td>
            <td>{dark ? <code>{dark}</code> : 'the same'}</td>
            <td>{PROPERTY_USES[name] ?? ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const LABEL_USES: Record<string, string> = {
  locale: 'Language of the labels: sizes in messages are formatted in it.',
  region: 'Accessible name of the widget (its role="group").',
  hint: 'Text of the empty widget, before the Choose button.',
  dropHere: 'Text while a file is dragged over.',
  choose: 'The button that opens the file picker.',
  chooseAnother: 'The same button once a file has been chosen.',
  upload: 'The button that sends the chosen file, with autoUpload={false}.',
  cancel: 'The button that stops the upload.',
  retry: 'The button that sends the file again after a failure that may pass.',
  uploading: 'Status line, and name of the progress bar, while uploading.',
  retrying: 'Status line while an automatic retry waits or runs.',
  offline: 'Status line while an upload waits for the connection to come back (no error is shown).',
  uploaded: 'Status line after the upload.',
  cancelled: 'Status line after Cancel.',
  busy: 'Status line when a file is dropped during an upload.',
  partialDrop: 'Status line when several files were dropped and the first was taken.',
  parentChanged: 'Status line when a new parentUuid cancelled an upload under way.',
  previewAlt: 'Alt text of the preview.',
  uploadedAlt: 'Alt text of the uploaded image (a link to it).',
  errors: 'The sentence of the alert, one function per error kind: see the Errors guide.',
  pause: 'The button that pauses an upload in parts.',
  resume: 'The button that goes on with a paused upload.',
  paused: 'Status line while paused.',
  uploadingThumbnail: 'Status line while the thumbnail is sent, after the media.',
  thumbnailFailed: 'The alert when the media was stored but not its thumbnail.',
  uploadedWithoutThumbnail: 'Status line of a file stored without a thumbnail, and why.',
  resuming: 'Status line while the first part is sent of an upload in parts picked up after a reload.',
  restarted: 'Status line when the server no longer had the parts saved before a reload: the file starts over.',
  list: 'Accessible name of the list of attachments and of its total progress bar.',
  remove: 'The button that takes a failed or stored attachment out of the list.',
  itemAction: "An attachment's button: the action and its file's name.",
  waiting: 'Status line of an attachment waiting for its turn.',
  summary: 'The polite summary of the list.',
  totalProgress: "Value text of the list's progress bar.",
  leftOut: 'Said when files of a drop went over maxFiles.',
};

/** Sample arguments of the labels that are functions, with their names; by default a file name. */
const LABEL_ARGUMENTS: Record<string, { names: string; values: unknown[] }> = {
  retrying: { names: 'attempt, attempts', values: [2, 3] },
  partialDrop: { names: 'fileName, reason', values: ['{fileName}', 'Drop one at a time.'] },
  thumbnailFailed: { names: 'sentence', values: ['The server is busy. Wait a moment, then retry.'] },
  uploadedWithoutThumbnail: {
    names: 'fileName, sentence',
    values: ['{fileName}', 'This video cannot be read in this browser, or it is damaged.'],
  },
  resuming: { names: 'fileName, percent', values: ['{fileName}', 60] },
  itemAction: { names: 'action, fileName', values: ['Cancel', '{fileName}'] },
  summary: { names: 'uploaded, total', values: [2, 5] },
  totalProgress: { names: 'loaded, total', values: ['3 MB', '10 MB'] },
  leftOut: { names: 'fileNames, maxFiles', values: [['plan.pdf', 'photos.zip'], 10] },
};
const FILE_NAME_ARGUMENT = { names: 'fileName', values: ['{fileName}'] };

/** Every key of `labels`, what it is for, and its English default (functions shown with sample arguments). */
export function LabelsTable({
  labels = defaultLabels,
  fileName = 'photo.png',
}: {
  labels?: object;
  fileName?: string;
}) {
  return (
    <table>
      <thead>
        <tr>
          <th>key</th>
          <th>used for</th>
          <th>English default</th>
        </tr>
      </thead>
      <tbody>
        {Object.entries(labels).map(([key, label]: [string, unknown]) => {
          const { names, values } = LABEL_ARGUMENTS[key] ?? FILE_NAME_ARGUMENT;
          const args = { names, values: values.map((value) => (value === '{fileName}' ? fileName : value)) };
          const example =
            typeof label === 'function'
              ? String((label as (...values: unknown[]) => unknown)(...args.values))
              : typeof label === 'string'
                ? label
                : '';
          return (
            <tr key={key}>
              <td>
                <code>{typeof label === 'function' ? `${key}(${args.names})` : key}</code>
              </td>
              <td>{LABEL_USES[key] ?? ''}</td>
              <td>{example}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

interface ErrorCase {
  kind: UploadErrorKind;
  /** What happened, for the reader. */
  when: string;
  reason?: string;
  status?: number;
  /** False where the kind is retryable but this case is not tried again (it failed before any request). */
  retried?: false;
}

/** Every way the widget can fail, grouped by kind, in the order of the kinds. */
const ERROR_CASES: ErrorCase[] = [
  {
    kind: 'invalid-file',
    when: "The file is empty (with a page's own accept; without one, the widget finds no image in it: next row).",
    reason: 'empty',
  },
  {
    kind: 'invalid-file',
    when: 'Its bytes are no PNG, JPEG, GIF, WebP, AVIF, BMP or HEIC/HEIF.',
    reason: 'not-an-image',
  },
  { kind: 'invalid-file', when: 'It does not decode (a truncated image).', reason: 'damaged' },
  {
    kind: 'invalid-file',
    when: 'A HEIC photo in a browser that cannot decode it (all but Safari), with heic={false}.',
    reason: 'heic-unsupported',
  },
  { kind: 'invalid-file', when: 'It was moved or changed after it was chosen.', reason: 'unreadable' },
  { kind: 'invalid-file', when: "Its type is not in the page's own accept.", reason: 'not-accepted' },
  { kind: 'invalid-file', when: 'Several files were dropped and none could be taken.', reason: 'too-many-files' },
  { kind: 'invalid-file', when: 'The server answered 415.', status: 415 },
  { kind: 'too-large', when: 'It is over the limit before sending.', reason: 'file-too-large' },
  { kind: 'too-large', when: 'The server answered 413.', status: 413 },
  {
    kind: 'auth',
    when: 'The server answered 401, and getToken gave no other token (or it was refused too).',
    status: 401,
  },
  { kind: 'auth', when: 'getToken threw.', reason: 'sign-in-failed' },
  { kind: 'forbidden', when: 'The server answered 403.', status: 403 },
  { kind: 'rejected', when: 'The server answered another 4xx (400, 404, …).', status: 400 },
  { kind: 'rejected', when: 'parentUuid is empty: nothing is sent.', reason: 'no-parent' },
  { kind: 'server', when: 'The server answered 5xx.', status: 500 },
  { kind: 'server', when: 'The server answered 429 (Retry-After is honoured).', status: 429 },
  { kind: 'network', when: 'No answer (offline, DNS, CORS refused).', reason: 'unreachable' },
  { kind: 'network', when: 'The server answered 408.', status: 408 },
  { kind: 'network', when: 'Nothing moved for 60 s.', reason: 'stalled' },
  { kind: 'network', when: 'The request could not be made at all.', reason: 'not-started', retried: false },
  { kind: 'bad-response', when: 'A 2xx that is not a JSON object (an HTML page).', reason: 'not-a-result' },
  { kind: 'bad-response', when: 'file_url, file_uuid or parent_file_uuid missing.', reason: 'missing-fields' },
  { kind: 'bad-response', when: 'A file_url that is not http(s) or relative.', reason: 'unsafe-url' },
  { kind: 'bad-response', when: 'parent_file_uuid is not the one sent.', reason: 'wrong-parent' },
];

/** Kinds a later try may cure by itself (`UploadError.retryable`). */
const RETRIED_BY_ITSELF: ReadonlySet<UploadErrorKind> = new Set(['server', 'network']);
/** Kinds that show Retry after a failed upload: the retryable ones, a new sign-in, a server that answers properly. */
const RETRY_BUTTON: ReadonlySet<UploadErrorKind> = new Set(['server', 'network', 'auth', 'bad-response']);

/** Each error the widget can show, with the English sentence of the default labels. */
export function ErrorsTable() {
  return (
    <table>
      <thead>
        <tr>
          <th>kind</th>
          <th>when</th>
          <th>the alert says (English default)</th>
          <th>retried by itself</th>
          <th>Retry button</th>
        </tr>
      </thead>
      <tbody>
        {ERROR_CASES.map(({ kind, when, reason, status, retried }) => (
          <tr key={`${kind} ${reason ?? status}`}>
            <td>
              <code>{kind}</code>
            </td>
            <td>{when}</td>
            <td>
              {englishSentence(
                {
                  kind,
                  status,
                  reason: reason as UploadErrorReason | undefined,
                  fileName: 'photo.png',
                  size: 12.4 * 1024 * 1024,
                  limit: 10 * 1024 * 1024,
                  seconds: 60,
                },
                formatBytes,
                'image',
              ) ?? ''}
            </td>
            <td>{RETRIED_BY_ITSELF.has(kind) && retried !== false ? 'yes' : 'no'}</td>
            <td>{RETRY_BUTTON.has(kind) ? 'yes' : 'no'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
