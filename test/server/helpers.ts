import { spawn, type ChildProcess } from 'node:child_process';
import { connect, type Socket } from 'node:net';

export type FormValue = string | { bytes: Uint8Array<ArrayBuffer>; type?: string; name?: string };

/** A FormData with the fields in the given order, files as Blobs the way a browser sends them. */
export function formOf(fields: Record<string, FormValue>): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) {
    if (typeof value === 'string') form.append(name, value);
    else form.append(name, new Blob([value.bytes], { type: value.type ?? '' }), value.name ?? 'upload.bin');
  }
  return form;
}

export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Body bytes written before the answer arrived. */
  sentBeforeAnswer: number;
  /** Set when writing the body failed after the answer (the server cut the connection). */
  writeError: string | undefined;
}

export interface RawRequestOptions {
  method?: string;
  headers?: Record<string, string>;
  /** The body; sent with Content-Length unless `chunked`. */
  chunks?: Uint8Array[];
  chunked?: boolean;
  chunkDelayMs?: number;
  /** Keep writing the whole body after an early answer, as a browser does. */
  sendAll?: boolean;
}

/**
 * HTTP/1.1 over a bare socket, for what fetch and node:http hide: an exact path (`..` kept), a
 * chosen Host header, a body written slowly, and whether the server lets the client finish
 * sending after answering early (node:http's client stops writing once it has the answer).
 */
export function rawRequest(url: string, options: RawRequestOptions = {}): Promise<RawAnswer> {
  const target = new URL(url);
  const chunks = options.chunks ?? [];
  const headers: Record<string, string> = { Host: target.host, ...options.headers };
  if (options.chunked) headers['Transfer-Encoding'] = 'chunked';
  else if (chunks.length > 0)
    headers['Content-Length'] ??= String(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  const head =
    `${options.method ?? 'GET'} ${url.slice(target.origin.length)} HTTP/1.1\r\n` +
    Object.entries(headers)
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('') +
    '\r\n';

  return new Promise((resolve, reject) => {
    const socket = connect(Number(target.port), target.hostname);
    let sent = 0;
    let received = Buffer.alloc(0);
    let answer: Omit<RawAnswer, 'writeError'> | undefined;
    let writeError: string | undefined;
    let writing = true;
    const finish = () => {
      if (!answer || writing) return;
      socket.destroy();
      resolve({ ...answer, writeError });
    };

    socket.on('data', (data: Buffer) => {
      received = Buffer.concat([received, data]);
      const end = received.indexOf('\r\n\r\n');
      if (answer || end < 0) return;
      const [statusLine = '', ...lines] = received.subarray(0, end).toString('latin1').split('\r\n');
      const answerHeaders = Object.fromEntries(
        lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
      );
      const body = received.subarray(end + 4);
      if (body.length < Number(answerHeaders['content-length'] ?? 0)) return;
      answer = {
        status: Number(statusLine.split(' ')[1]),
        headers: answerHeaders,
        body: body.toString('utf8'),
        sentBeforeAnswer: sent,
      };
      finish();
    });
    socket.on('error', (error) => {
      writeError = error.message;
      if (!answer) reject(error);
    });
    socket.on('close', () => {
      writing = false;
      if (answer) finish();
      else reject(new Error(`The connection closed before a whole answer; got ${JSON.stringify(received.toString())}`));
    });

    const write = (data: Uint8Array | string) =>
      new Promise<void>((done) => {
        if (socket.write(data)) return done();
        const resume = () => {
          socket.off('drain', resume).off('close', resume);
          done();
        };
        socket.on('drain', resume).on('close', resume);
      });
    void (async () => {
      await write(head);
      for (const chunk of chunks) {
        if ((answer && !options.sendAll) || socket.destroyed) break;
        await write(
          options.chunked
            ? Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')])
            : chunk,
        );
        sent += chunk.length;
        if (options.chunkDelayMs) await new Promise((wait) => setTimeout(wait, options.chunkDelayMs));
      }
      if (options.chunked && !socket.destroyed) await write('0\r\n\r\n');
      writing = false;
      finish();
    })();
  });
}

const READY = /^Reference upload API listening on (http:\/\/\S+) {2}token: (\S+) {2}data: (.+)$/m;
const started = new Set<ChildProcess>();

export interface CliServer {
  url: string;
  token: string;
  dataDir: string;
  proc: ChildProcess;
  exited: Promise<number | null>;
}

/**
 * Runs server/main.ts as `npm run server` does, and waits for its ready line. Through
 * `node --import tsx` rather than the tsx CLI: the CLI runs the server in a child process of its
 * own, which a SIGKILL of the CLI would leave running.
 */
export async function startCli(args: string[], env: Record<string, string>): Promise<CliServer> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.add(proc);
  const exited = new Promise<number | null>((done) => proc.on('exit', (code) => done(code)));
  let output = '';
  const ready = await new Promise<RegExpExecArray>((done, fail) => {
    const onData = (data: Buffer) => {
      output += data.toString();
      const match = READY.exec(output);
      if (match) done(match);
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.on('exit', (code) => fail(new Error(`The CLI exited with ${code} before it was ready:\n${output}`)));
  });
  return { url: ready[1]!, token: ready[2]!, dataDir: ready[3]!, proc, exited };
}

/** SIGKILLs every CLI server still running; for afterEach. */
export async function killCliServers(): Promise<void> {
  for (const proc of started) {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGKILL');
      await new Promise((done) => proc.once('exit', done));
    }
  }
  started.clear();
}

export interface StalledUpload {
  socket: Socket;
  /** Everything the server sent, once the connection is closed (by either side). */
  closed: Promise<string>;
}

/**
 * An upload whose body stops coming: the headers (declaring `declaredBytes`), the start of a file
 * part and 1000 bytes of it, then nothing. The socket is the test's to write more or destroy.
 */
export function startStalledUpload(url: string, token: string | null, declaredBytes = 1024 * 1024): StalledUpload {
  const target = new URL(url);
  const boundary = 'stalled-boundary';
  const socket = connect(Number(target.port), target.hostname);
  socket.on('error', () => undefined); // a reset after the server gives up is expected
  socket.write(
    `POST ${target.pathname} HTTP/1.1\r\nHost: ${target.host}\r\n` +
      (token === null ? '' : `Authorization: Bearer ${token}\r\n`) +
      `Content-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${declaredBytes}\r\n\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="qqfile"; filename="slow.bin"\r\n\r\n`,
  );
  socket.write(new Uint8Array(1000));
  let received = '';
  socket.on('data', (data: Buffer) => (received += data.toString('latin1')));
  const closed = new Promise<string>((done) => socket.on('close', () => done(received)));
  return { socket, closed };
}
