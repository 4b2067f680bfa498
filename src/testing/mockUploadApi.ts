/**
 * The private-message upload API in memory, as MSW 2 handlers: for an app's own tests (with
 * `setupServer` from `msw/node`) and for stories (`setupWorker`, msw-storybook-addon). It answers
 * every call of the family as the reference server (server/) does, logs what it received field by
 * field, and answers with the faults a test queues.
 */
import { delay, http, HttpResponse, type HttpHandler, type JsonBodyType } from 'msw';
import type * as protocol from '../core/protocol';
import type { Field } from '../core/protocol';

// Copied, not imported: a value shared with the widget's entries would move protocol.ts into a chunk
// of its own and change the widget's bundle. The literal types make the compiler check the copies.
const UPLOAD_PATH: typeof protocol.UPLOAD_PATH = '/api/v2/pm/upload/';
const DEFAULT_FIELD_PREFIX: typeof protocol.DEFAULT_FIELD_PREFIX = 'qq';
const fieldName: typeof protocol.fieldName = (field, prefix = DEFAULT_FIELD_PREFIX) => prefix + field;

/** Which call of the family a request is (PROTOCOL.md): told apart as the reference server tells them. */
export type UploadCallKind = 'media' | 'part' | 'done' | 'thumbnail';

export interface MockUploadApiOptions {
  /** The API's base URL, as given to `UploaderProvider`; default: any origin. */
  baseUrl?: string;
  /**
   * The prefix the server's messages name fields with (default `'qq'`). As the reference server,
   * the fields are accepted with it and without it: `''` is the platform's current API.
   */
  fieldPrefix?: string;
  /** The one bearer token accepted; default: any `Authorization: Bearer …`. */
  token?: string;
}

/** One request as the API received it. */
export interface ReceivedRequest {
  call: UploadCallKind;
  url: string;
  /** Every text field exactly as sent: `qqparentuuid`, or `parentuuid` without the prefix. */
  fields: Record<string, string>;
  /** The file field (`qqfile` or `file`): its `name`, `size`, `type` and bytes. */
  file: File | null;
  authorization: string | null;
  headers: Headers;
  /** The status answered; undefined while held, and for a network error. */
  status?: number;
}

/**
 * What to answer instead of the normal answer. It answers an error when it has `status`, `error`,
 * `body`, `html`, `retryAfter`, `networkError` or `tokenExpired`; `delay` or `hang` alone only hold
 * the normal answer back.
 */
export interface UploadFault {
  /** Only this call (default: any). */
  call?: UploadCallKind;
  /** Only the requests this is true of, such as `(r) => r.file?.name === 'scan.pdf'`. */
  when?: (request: ReceivedRequest) => boolean;
  /** How many matching requests it answers: default 1, `Infinity` for all of them. */
  times?: number;
  /** Default 500, or 429 with `retryAfter`. */
  status?: number;
  /** The message of the server's error shape, `{ "error": … }`. */
  error?: string;
  /** A JSON body of any shape, instead of `{ error }`. */
  body?: JsonBodyType;
  /** An HTML body (a proxy's error page); `true` for a plain one. */
  html?: string | true;
  /** Seconds, in a `Retry-After` header. */
  retryAfter?: number;
  /** No answer at all: the connection fails (offline, DNS, CORS). */
  networkError?: boolean;
  /** Holds the answer until the fault's `release()`; without it, until the request is aborted. */
  hang?: boolean;
  /** Milliseconds before answering. */
  delay?: number;
  /**
   * 401 to every request with the token of the first one it meets, until one comes with another
   * token (a refreshed one), which is answered normally; `times` does not apply.
   */
  tokenExpired?: boolean;
}

export interface QueuedFault {
  /** Lets the requests a `hang` holds go on to their answer. */
  release(): void;
  /** Takes the fault out of the queue (a lasting one, say); requests it holds stay held. */
  remove(): void;
}

export interface MockUploadApi {
  /** For `setupServer(...handlers)`, `setupWorker(...handlers)` or `parameters.msw.handlers`. */
  handlers: HttpHandler[];
  /** What reached the API, oldest first. */
  requests: ReceivedRequest[];
  /** Queues a fault for the next matching request(s); the first queued that matches answers. */
  fail(fault: UploadFault): QueuedFault;
  /** Forgets the stored files, the log and the faults. */
  reset(): void;
}

/** A request the API refuses, answered in the reference server's error shape. */
class Refusal extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** As the reference server bounds them. */
const MAX_TOTAL_PARTS = 10_000;

interface PendingUpload {
  totalParts: number;
  /** By part index; parts after 0 may arrive in any order. */
  parts: Blob[];
  fileName: string;
  fileType: string;
}

interface ActiveFault extends UploadFault {
  left: number;
  released: Promise<void>;
  /** The token a `tokenExpired` fault refuses, once it has met it. */
  staleToken?: string | null;
}

export function mockUploadApi(options: MockUploadApiOptions = {}): MockUploadApi {
  const prefix = options.fieldPrefix ?? DEFAULT_FIELD_PREFIX;
  const base = options.baseUrl?.replace(/\/+$/, '') ?? '*';
  const requests: ReceivedRequest[] = [];
  const files = new Map<string, File>();
  const pending = new Map<string, PendingUpload>();
  const storedMedia = new Map<string, string>();
  let faults: ActiveFault[] = [];

  const name = (field: Field) => fieldName(field, prefix);

  function faultFor(request: ReceivedRequest): ActiveFault | undefined {
    for (const fault of faults) {
      if ((fault.call && fault.call !== request.call) || (fault.when && !fault.when(request))) continue;
      if (fault.tokenExpired) {
        if (fault.staleToken === undefined) fault.staleToken = request.authorization;
        if (fault.staleToken === request.authorization) return fault;
        faults = faults.filter((other) => other !== fault);
        continue;
      }
      fault.left -= 1;
      if (fault.left <= 0) faults = faults.filter((other) => other !== fault);
      return fault;
    }
    return undefined;
  }

  /** The fault's answer, or undefined for the normal one (after its delay or hang). */
  async function faultAnswer(fault: ActiveFault): Promise<Response | undefined> {
    if (fault.delay) await delay(fault.delay);
    if (fault.hang) await fault.released;
    if (fault.networkError) return HttpResponse.error();
    if (fault.tokenExpired) return refusal(new Refusal(401, 'The bearer token is not valid.', BEARER_INVALID));
    const { error, body, html, retryAfter } = fault;
    const answersError = [fault.status, error, body, html, retryAfter].some((value) => value !== undefined);
    if (!answersError) return undefined;
    const status = fault.status ?? (retryAfter === undefined ? 500 : 429);
    const headers: Record<string, string> = retryAfter === undefined ? {} : { 'Retry-After': String(retryAfter) };
    if (html !== undefined) return HttpResponse.html(html === true ? errorPage(status) : html, { status, headers });
    return HttpResponse.json(body ?? { error: error ?? defaultMessage(status) }, { status, headers });
  }

  function checkToken(authorization: string | null): void {
    if (!authorization) {
      throw new Refusal(401, 'The Authorization header is missing; send "Authorization: Bearer <token>".', BEARER);
    }
    const given = /^Bearer\s+(.+)$/i.exec(authorization)?.[1]?.trim();
    if (given === undefined) throw new Refusal(401, 'The Authorization header must be "Bearer <token>".', BEARER);
    if (options.token !== undefined && given !== options.token) {
      throw new Refusal(401, 'The bearer token is not valid.', BEARER_INVALID);
    }
  }

  /** What the reference server answers to the call, storing what it carries. */
  function answer(request: ReceivedRequest, fileRoot: string): object {
    const text = (field: Field) => request.fields[name(field)] ?? request.fields[fieldName(field, '')];
    const wholeNumber = (field: Field) => {
      const value = text(field);
      if (value === undefined) return undefined;
      if (!/^\d{1,15}$/.test(value))
        throw new Refusal(400, `The field ${name(field)} must be a whole number, not "${value}".`);
      return Number(value);
    };
    const receivedFile = () => {
      if (!request.file && text('file') !== undefined) {
        throw new Refusal(400, `The field ${name('file')} holds text; send it as a file part (a Blob in FormData).`);
      }
      if (!request.file) throw new Refusal(400, `The field ${name('file')} is missing; send the file in it.`);
      if (request.file.size === 0) throw new Refusal(400, `The file in ${name('file')} is empty.`);
      return request.file;
    };
    const checkSize = (field: Field, actual: number) => {
      const declared = wholeNumber(field);
      if (declared !== undefined && declared !== actual) {
        throw new Refusal(400, `Size mismatch: ${name(field)} says ${declared} bytes but ${actual} arrived.`);
      }
    };
    const store = (file: Blob, fileName: string, type: string, uuid: string = crypto.randomUUID()) => {
      const storedName = `${uuid}.${extensionOf(type)}`;
      files.set(storedName, new File([file], fileName, { type }));
      return { file_url: `${fileRoot}/files/${storedName}`, file_uuid: uuid };
    };

    switch (request.call) {
      case 'media': {
        const file = receivedFile();
        checkSize('totalfilesize', file.size);
        return store(file, text('filename') || file.name, text('filetype') || file.type);
      }
      case 'thumbnail': {
        const parentUuid = text('parentuuid') ?? '';
        if (parentUuid === '') {
          throw new Refusal(400, `The field ${name('parentuuid')} is empty; send the file_uuid of the media.`);
        }
        const file = receivedFile();
        checkSize('totalfilesize', file.size);
        return { ...store(file, text('filename') || file.name, file.type), parent_file_uuid: parentUuid };
      }
      case 'part': {
        const totalParts = wholeNumber('totalparts');
        const partIndex = wholeNumber('partindex');
        if (totalParts === undefined || totalParts < 1 || totalParts > MAX_TOTAL_PARTS) {
          throw new Refusal(
            400,
            `The field ${name('totalparts')} must be a whole number from 1 to ${MAX_TOTAL_PARTS}.`,
          );
        }
        if (partIndex === undefined || partIndex >= totalParts) {
          throw new Refusal(400, `The field ${name('partindex')} must be a whole number from 0 to ${totalParts - 1}.`);
        }
        const part = receivedFile();
        checkSize('chunksize', part.size);
        if (partIndex === 0) {
          const uuid = crypto.randomUUID();
          const fileName = text('filename') || part.name;
          pending.set(uuid, { totalParts, parts: [part], fileName, fileType: text('filetype') || part.type });
          return { file_uuid: uuid };
        }
        const uuid = text('uuid') ?? '';
        if (uuid === '') {
          throw new Refusal(
            400,
            `The field ${name('uuid')} is missing; parts after 0 send the file_uuid answered to part 0.`,
          );
        }
        const upload = pendingUpload(uuid);
        checkTotalParts(totalParts, upload);
        upload.parts[partIndex] = part;
        return { file_uuid: uuid };
      }
      case 'done': {
        const uuid = text('uuid') ?? '';
        if (uuid === '') throw new Refusal(400, `The field ${name('uuid')} is missing; send the file_uuid of part 0.`);
        if (!text('filename')) throw new Refusal(400, `The field ${name('filename')} is missing.`);
        const stored = storedMedia.get(uuid);
        if (stored) return { file_url: stored, file_uuid: uuid };
        const upload = pendingUpload(uuid);
        checkTotalParts(wholeNumber('totalparts'), upload);
        const missing = Array.from({ length: upload.totalParts }, (_, index) => index).filter(
          (index) => !upload.parts[index],
        );
        if (missing.length > 0) {
          throw new Refusal(400, `Parts ${missing.join(', ')} of ${uuid} are missing; send every part before ?done.`);
        }
        const whole = new Blob(upload.parts);
        checkSize('totalfilesize', whole.size);
        const answered = store(whole, text('filename') || upload.fileName, text('filetype') || upload.fileType, uuid);
        pending.delete(uuid);
        storedMedia.set(uuid, answered.file_url);
        return answered;
      }
    }
  }

  function pendingUpload(uuid: string): PendingUpload {
    const upload = pending.get(uuid);
    if (!upload) {
      throw new Refusal(
        404,
        `Unknown chunked upload ${uuid}: never started, already done, or deleted after a long pause. Start again from part 0.`,
      );
    }
    return upload;
  }

  function checkTotalParts(totalParts: number | undefined, upload: PendingUpload): void {
    if (totalParts !== undefined && totalParts !== upload.totalParts) {
      throw new Refusal(400, `${name('totalparts')} is ${totalParts}, but part 0 said ${upload.totalParts}.`);
    }
  }

  const upload = http.post(`${base}${UPLOAD_PATH}`, async ({ request }) => {
    const url = new URL(request.url);
    const received = await receive(request, url);
    if (!received) return refusal(new Refusal(415, 'Send the upload as multipart/form-data.'));
    requests.push(received);
    const fault = faultFor(received);
    let response = fault && (await faultAnswer(fault));
    if (!response) {
      try {
        checkToken(received.authorization);
        // Files are served beside the endpoint, under the same base URL.
        const fileRoot = url.origin + url.pathname.slice(0, -UPLOAD_PATH.length);
        response = HttpResponse.json(answer(received, fileRoot));
      } catch (error) {
        if (!(error instanceof Refusal)) throw error;
        response = refusal(error);
      }
    }
    if (response.type !== 'error') received.status = response.status;
    return response;
  });

  /** The stored files at their `file_url`. */
  const served = http.get(`${base}/files/:name`, ({ params }) => {
    const file = files.get(String(params.name));
    if (!file) return refusal(new Refusal(404, `No stored file is named ${JSON.stringify(params.name)}.`));
    return new HttpResponse(file, { headers: { 'Content-Type': file.type } });
  });

  return {
    handlers: [upload, served],
    requests,
    fail(fault) {
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      const active: ActiveFault = { ...fault, left: fault.times ?? 1, released };
      faults.push(active);
      return {
        release,
        remove: () => {
          faults = faults.filter((other) => other !== active);
        },
      };
    },
    reset() {
      requests.length = 0;
      files.clear();
      pending.clear();
      storedMedia.clear();
      faults = [];
    },
  };

  /** The request's fields, file and headers; undefined when its body is not a multipart form. */
  async function receive(request: Request, url: URL): Promise<ReceivedRequest | undefined> {
    if (!/^multipart\/form-data\s*(;|$)/i.test(request.headers.get('Content-Type') ?? '')) return undefined;
    const form = await request.formData();
    const fields: Record<string, string> = {};
    let file: File | null = null;
    for (const [key, value] of form) {
      if (typeof value === 'string') fields[key] = value;
      else if (key === name('file') || key === fieldName('file', '')) file = value;
    }
    const has = (field: Field) => fields[name(field)] !== undefined || fields[fieldName(field, '')] !== undefined;
    const done = url.searchParams.has('done') || url.searchParams.has('done/');
    const call: UploadCallKind = done ? 'done' : has('partindex') ? 'part' : has('parentuuid') ? 'thumbnail' : 'media';
    const authorization = request.headers.get('Authorization');
    return { call, url: request.url, fields, file, authorization, headers: request.headers };
  }
}

const BEARER = { 'WWW-Authenticate': 'Bearer' };
const BEARER_INVALID = { 'WWW-Authenticate': 'Bearer error="invalid_token"' };

function refusal({ status, message, headers }: Refusal): Response {
  return HttpResponse.json({ error: message }, { status, headers });
}

function defaultMessage(status: number): string {
  if (status === 401) return 'The bearer token is not valid.';
  if (status === 429) return 'The server is busy; try again in a moment.';
  if (status >= 500) return 'The server failed to handle the request; see its log.';
  return `The request was refused (${status}).`;
}

/** The kind of page a proxy in front of the API answers with. */
function errorPage(status: number): string {
  return `<!doctype html><html><head><title>${status}</title></head><body><h1>${status}</h1><p>nginx</p></body></html>`;
}

/** Stored names are `<uuid>.<ext>`, the extension from the type, as on the reference server. */
function extensionOf(type: string): string {
  const subtype = /^[a-z]+\/([a-z0-9.+-]+)/.exec(type.toLowerCase())?.[1];
  if (!subtype) return 'bin';
  return subtype === 'jpeg' ? 'jpg' : subtype.replace(/^x-/, '').replace(/\+.*$/, '');
}
