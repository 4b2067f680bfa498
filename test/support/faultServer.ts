import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOnLoopback } from './loopback';

/**
 * A loopback server for the faults the reference server cannot be made to show (a 500, an HTML
 * answer, an upload that never ends). It answers CORS preflights so that the browser sends the upload.
 */
export async function startFaultServer(respond: (req: IncomingMessage, res: ServerResponse) => void) {
  let started = 0;
  let closedByClient = 0;
  const server = createServer((req, res) => {
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Expose-Headers', 'Retry-After');
    if (req.method === 'OPTIONS') {
      res
        .writeHead(204, {
          'Access-Control-Allow-Headers': 'Authorization, Accept, Content-Type',
          'Access-Control-Allow-Methods': 'POST',
          // One preflight for a run's many uploads: the bench's sink measures what each upload costs.
          'Access-Control-Max-Age': '600',
        })
        .end();
      return;
    }
    started += 1;
    // On the response, not its socket: a kept-alive socket serves many requests, and would gather a
    // listener for each (Node's MaxListenersExceededWarning).
    res.on('close', () => {
      if (!res.writableEnded) closedByClient += 1;
    });
    respond(req, res);
  });
  return {
    ...(await listenOnLoopback(server)),
    /** Uploads that reached the server, and those whose connection the client dropped before an answer. */
    counts: () => ({ started, closedByClient }),
  };
}

/** Reads the upload, then never answers. */
export const startHangingServer = () => startFaultServer((req) => req.resume());

export interface CannedAnswer {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

/** Reads each upload, then gives the next canned answer; the last one repeats. */
export const startScriptedServer = async (...answers: CannedAnswer[]) => {
  let next = 0;
  const bodies: string[] = [];
  const server = await startFaultServer((req, res) => {
    const answer = answers[Math.min(next, answers.length - 1)]!;
    next += 1;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      bodies.push(Buffer.concat(chunks).toString('latin1'));
      res.writeHead(answer.status, { 'Content-Type': 'application/json', ...answer.headers }).end(answer.body);
    });
  });
  return {
    ...server,
    /** The value of a text field in each request received, in order. */
    fieldValues: (name: string) => bodies.map((body) => new RegExp(`name="${name}"\r\n\r\n([^\r]*)`).exec(body)?.[1]),
    /** The raw multipart body of each request received. */
    bodies: () => [...bodies],
  };
};

/** Reads the upload, then answers with this status and body. */
export const startAnsweringServer = (status: number, body: string, contentType = 'application/json') =>
  startScriptedServer({ status, body, headers: { 'Content-Type': contentType } });

/** The JSON a server answers to a stored thumbnail of `parentUuid`. */
export const thumbnailAnswer = (parentUuid: string): CannedAnswer => ({
  status: 200,
  body: JSON.stringify({ file_url: '/files/t.png', file_uuid: 'thumb-uuid', parent_file_uuid: parentUuid }),
});

/** One request a recording proxy saw: its path and query, and its text fields as sent. */
export interface RecordedRequest {
  url: string;
  fields: Record<string, string>;
  /** The Authorization header sent, if any. */
  authorization?: string;
}

/** How a recording proxy meddles with a request; by default it passes it on and its answer back. */
export interface ProxyFaults {
  /** A canned answer given instead of passing the request on (a fault injected into one request of a series). */
  answer?: (request: RecordedRequest) => CannedAnswer | undefined;
  /** Passes the request on but never the answer back: the server did the work, the client never hears. */
  swallowAnswer?: (request: RecordedRequest) => boolean;
  /** Holds the request this long (ms) once received, before passing it on. */
  delay?: (request: RecordedRequest) => number;
}

/**
 * A proxy in front of a real server (the reference server): it records the text fields of every
 * upload and passes it on, but for the faults it is told to inject, while the real server handles the rest.
 */
export async function startRecordingProxy(target: string, faults: ProxyFaults = {}) {
  const requests: RecordedRequest[] = [];
  let swallowed = 0;
  let inFlight = 0;
  let mostInFlight = 0;
  const timeline: string[] = [];
  const proxy = await startFaultServer((req, res) => {
    inFlight += 1;
    mostInFlight = Math.max(mostInFlight, inFlight);
    res.on('close', () => (inFlight -= 1));
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const recorded = {
        url: req.url ?? '/',
        fields: textFields(body.toString('latin1')),
        authorization: req.headers.authorization,
      };
      requests.push(recorded);
      const call = recorded.url.includes('?done') ? 'done' : (recorded.fields.qqpartindex ?? recorded.fields.partindex);
      timeline.push(`>${call}`);
      res.on('close', () => timeline.push(`<${call}`));
      setTimeout(() => pass(recorded), faults.delay?.(recorded) ?? 0);
    });
    const pass = (recorded: RecordedRequest) => {
      const canned = faults.answer?.(recorded);
      if (canned) {
        res.writeHead(canned.status, { 'Content-Type': 'application/json', ...canned.headers }).end(canned.body);
        return;
      }
      const swallow = faults.swallowAnswer?.(recorded) ?? false;
      const upstream = httpRequest(
        new URL(recorded.url, target),
        { method: req.method, headers: { ...req.headers, host: new URL(target).host } },
        (answer) => {
          if (swallow) {
            answer.resume();
            answer.on('end', () => (swallowed += 1));
            return;
          }
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => res.destroy());
      upstream.end(Buffer.concat(chunks));
    };
  });
  return {
    ...proxy,
    requests: () => [...requests],
    /** Answers the server gave that the client never got. */
    swallowed: () => swallowed,
    /** The most uploads open at once: from their first byte here to their answer's last. */
    mostInFlight: () => mostInFlight,
    /** Each call (a part's index, or `done`) as `>0` once received whole, `<0` once answered or dropped. */
    timeline: () => [...timeline],
  };
}
/** The text fields of a multipart body (file parts, which carry a filename, are left out). */
function textFields(body: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [, name, value] of body.matchAll(/name="([^"]*)"\r\n\r\n([^\r]*)\r\n/g)) fields[name!] = value!;
  return fields;
}
