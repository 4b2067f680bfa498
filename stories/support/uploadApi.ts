/**
 * A canned upload API for stories, answered by MSW in the browser: it reads the multipart form
 * the widget really sent, keeps what it received for the play functions to check, and by default
 * behaves like the real server (stores the file, answers its `file_url`, serves it back; media,
 * parts, done and thumbnail calls alike).
 */
import { delay, http, HttpResponse, type HttpHandler, type JsonBodyType } from 'msw';

export const STORY_BASE_URL = 'https://api.example.test';
export const STORY_TOKEN = 'story-token';
export const STORY_UPLOAD_URL = `${STORY_BASE_URL}/api/v2/pm/upload/`;
/** The `file_uuid` of the media every canned story attaches its thumbnail to. */
export const STORY_PARENT_UUID = '5a0b7d3e-1c2f-4e8a-9b6d-0f1e2d3c4b5a';

export interface ReceivedUpload {
  /** Every text field of the form, by name (`qqparentuuid`, `qqmd5`, …). */
  fields: Record<string, string>;
  /** The file field (`qqfile`), if there was one. */
  file: File | null;
  authorization: string | null;
  /** The Chunk Upload Done call (`?done`). */
  done: boolean;
}

const EXTENSIONS: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/webp': 'webp',
  'video/webm': 'webm',
  'application/pdf': 'pdf',
};

/**
 * What the canned server answers to one upload; `undefined` means "behave like the real server".
 * `attempt` counts from 1 within the story.
 */
export type UploadAnswer = (
  upload: ReceivedUpload,
  attempt: number,
) => Response | undefined | Promise<Response | undefined>;

export interface FakeUploadApi {
  /** For `parameters.msw.handlers`. */
  handlers: HttpHandler[];
  /** What reached the server, oldest first. */
  received: ReceivedUpload[];
  /** Forgets what was received; call it in the story's `beforeEach`. */
  reset(): void;
}

export function fakeUploadApi(answer: UploadAnswer = () => undefined): FakeUploadApi {
  const received: ReceivedUpload[] = [];
  const stored = new Map<string, File>();

  /** What the real server answers to each call of the family (see PROTOCOL.md). */
  const store = ({ fields, file, done }: ReceivedUpload): Record<string, string> => {
    // A part names the upload it belongs to (but part 0, which learns it); the done call answers where it is.
    if (fields.qqpartindex !== undefined) return { file_uuid: fields.qquuid || crypto.randomUUID() };
    const uuid = done && fields.qquuid ? fields.qquuid : crypto.randomUUID();
    const type = done ? (fields.qqfiletype ?? '') : (file?.type ?? '');
    const name = `${uuid}.${EXTENSIONS[type] ?? 'bin'}`;
    if (file) stored.set(name, file);
    const file_url = `${STORY_BASE_URL}/files/${name}`;
    return fields.qqparentuuid
      ? { file_url, file_uuid: uuid, parent_file_uuid: fields.qqparentuuid }
      : { file_url, file_uuid: uuid };
  };

  const upload = http.post(STORY_UPLOAD_URL, async ({ request }) => {
    const form = await request.formData();
    const fields: Record<string, string> = {};
    let file: File | null = null;
    for (const [name, value] of form) {
      if (typeof value === 'string') fields[name] = value;
      else file = value;
    }
    const current: ReceivedUpload = {
      fields,
      file,
      authorization: request.headers.get('Authorization'),
      done: new URL(request.url).searchParams.has('done'),
    };
    received.push(current);
    const canned = await answer(current, received.length);
    if (canned) return canned;
    return HttpResponse.json(store(current));
  });

  const files = http.get(`${STORY_BASE_URL}/files/:name`, ({ params }) => {
    const file = stored.get(String(params.name));
    if (!file) return HttpResponse.json({ error: 'No such file.' }, { status: 404 });
    return new HttpResponse(file, { headers: { 'Content-Type': file.type } });
  });

  return {
    handlers: [upload, files],
    received,
    reset: () => {
      received.length = 0;
      stored.clear();
    },
  };
}

/** Canned answers, one per thing a real server (or what stands in front of it) sends back. */
export const answers = {
  json: (status: number, body: JsonBodyType) => HttpResponse.json(body, { status }),
  /** A proxy's or framework's error page instead of JSON. */
  html: (status: number, title: string) =>
    HttpResponse.html(
      `<!doctype html><html><head><title>${title}</title></head><body><h1>${title}</h1><p>nginx</p></body></html>`,
      { status },
    ),
  /** The connection fails: no status, no body (DNS, TLS, CORS, offline). */
  networkError: () => HttpResponse.error(),
  /** The request is received and never answered, until the page gives up on it. */
  never: async (): Promise<Response> => {
    await delay('infinite');
    return HttpResponse.json({ error: 'unreachable' }, { status: 500 });
  },
};

/**
 * A switch a play function flips to let a held answer go: the upload stays in flight (and the
 * widget in its uploading state) for exactly as long as the story needs to look at it.
 */
export interface AnswerGate {
  /** Resolves once `open()` has been called; await it inside an `UploadAnswer`. */
  passed(): Promise<void>;
  open(): void;
  /** Closes it again, for the next run of the story. */
  reset(): void;
}

export function answerGate(): AnswerGate {
  let open!: () => void;
  let gate!: Promise<void>;
  const reset = () => {
    gate = new Promise<void>((resolve) => {
      open = resolve;
    });
  };
  reset();
  return { passed: () => gate, open: () => open(), reset };
}
