import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { UPLOAD_PATH, fieldName, uploadUrl } from '../../src/core/protocol';
import { makePng, md5Of } from '../fixtures';
import { DEFAULT_MAX_CONCURRENT_UPLOADS, startServer } from '../../server/app';
import type { StoredUpload } from '../../server/store';

export interface LoadOptions {
  /** Clients sending at once. */
  connections: number;
  /** Uploads in all (at least `connections`). */
  amount: number;
  /** The server's upload limit; below `connections`, some answers are 429. */
  maxConcurrentUploads?: number;
  /** Seconds a single request may take before it counts as failed. */
  requestTimeoutSeconds?: number;
  /** The whole run is stopped, and fails, past this. */
  maxDurationMs?: number;
}

export interface LoadReport {
  options: Required<LoadOptions>;
  ok: number;
  busy: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  durationMs: number;
  /** Stored thumbnails whose bytes were checked against their record and what was sent. */
  checkedFiles: number;
  /** Empty when every invariant held. */
  failures: string[];
}

const BOUNDARY = 'upload-load-boundary';
const TOKEN = 'load-token';

/**
 * Many clients upload thumbnails of one media at once to a fresh server on an ephemeral loopback
 * port; every answer must be 200 or 429 (with Retry-After), and every stored file must hold exactly
 * the bytes its request sent, with the MD5 and size of its record. Each request sends a different
 * PNG, so a mixed-up or torn file cannot pass.
 */
export async function runUploadLoad(options: LoadOptions): Promise<LoadReport> {
  const settings: Required<LoadOptions> = {
    maxConcurrentUploads: DEFAULT_MAX_CONCURRENT_UPLOADS,
    requestTimeoutSeconds: 10,
    maxDurationMs: 60_000,
    ...options,
  };
  const dataDir = await mkdtemp(join(tmpdir(), 'upload-load-'));
  const server = await startServer({
    port: 0,
    host: '127.0.0.1',
    token: TOKEN,
    dataDir,
    maxConcurrentUploads: settings.maxConcurrentUploads,
  });
  try {
    const parentUuid = await createMedia(server.url);
    // Counted by message, so that a thousand identical failures read as one line.
    const failureCounts = new Map<string, number>();
    const fail = (message: string) => failureCounts.set(message, (failureCounts.get(message) ?? 0) + 1);
    const sentByUuid = new Map<string, Buffer>();
    let sequence = 0;
    let ok = 0;
    let busy = 0;
    let lastAnswerAt = 0;

    const started = performance.now();
    const run = autocannon({
      url: uploadUrl(server.url),
      method: 'POST',
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': `multipart/form-data; boundary=${BOUNDARY}` },
      connections: settings.connections,
      amount: settings.amount,
      timeout: settings.requestTimeoutSeconds,
      // The run ends on the first sample after the last answer; the default second would pad it.
      sampleInt: 50,
      requests: [
        {
          setupRequest(request, context) {
            sequence += 1;
            const png = Buffer.from(
              makePng(4, 3, [sequence & 255, (sequence >> 8) & 255, (sequence >> 16) & 255, 255]),
            );
            context.png = png;
            return { ...request, body: thumbnailBody(parentUuid, png) };
          },
          onResponse(status, body, context, headers) {
            lastAnswerAt = performance.now();
            if (status === 200) {
              ok += 1;
              const uuid = parseUuid(body);
              if (uuid === undefined) fail(`a 200 without a file_uuid: ${body.slice(0, 200)}`);
              else sentByUuid.set(uuid, context.png as Buffer);
            } else if (status === 429) {
              busy += 1;
              if (!/^\d+$/.test(String(headers['retry-after'] ?? headers['Retry-After'])))
                fail('a 429 without Retry-After');
            } else {
              fail(`status ${status}: ${body.slice(0, 200)}`);
            }
          },
        },
      ],
    });
    const guard = setTimeout(() => {
      fail(`stopped after ${settings.maxDurationMs} ms`);
      run.stop();
    }, settings.maxDurationMs);
    const result = await run;
    clearTimeout(guard);
    const durationMs = (lastAnswerAt || performance.now()) - started;

    if (result.errors > 0)
      fail(`${result.errors} connection errors (${result.timeouts} timeouts, ${result.resets} resets)`);
    if (ok + busy !== settings.amount) fail(`${ok + busy} of ${settings.amount} requests were answered 200 or 429`);
    const checkedFiles = await checkStoredThumbnails(dataDir, sentByUuid, fail);

    return {
      options: settings,
      ok,
      busy,
      requestsPerSecond: (ok + busy) / (durationMs / 1000),
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      durationMs,
      checkedFiles,
      failures: [...failureCounts].map(([message, times]) => (times > 1 ? `${message} (${times} times)` : message)),
    };
  } finally {
    await server.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** What the library sends for a thumbnail: parent, declared size and MD5, then the file. */
function thumbnailBody(parentUuid: string, png: Buffer): Buffer {
  const field = (name: string, value: string) =>
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  const head =
    field(fieldName('parentuuid'), parentUuid) +
    field(fieldName('totalfilesize'), String(png.length)) +
    field(fieldName('md5'), md5Of(png)) +
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${fieldName('file')}"; filename="thumb.png"\r\n` +
    'Content-Type: image/png\r\n\r\n';
  return Buffer.concat([Buffer.from(head), png, Buffer.from(`\r\n--${BOUNDARY}--\r\n`)]);
}

async function createMedia(baseUrl: string): Promise<string> {
  const body = new FormData();
  body.append(fieldName('file'), new Blob([makePng(8, 6)], { type: 'image/png' }), 'media.png');
  const res = await fetch(baseUrl + UPLOAD_PATH, {
    method: 'POST',
    headers: { Authorization: `Bearer ${TOKEN}` },
    body,
  });
  if (res.status !== 200) throw new Error(`Creating the media failed with ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { file_uuid: string }).file_uuid;
}

function parseUuid(body: string): string | undefined {
  try {
    const uuid = (JSON.parse(body) as { file_uuid?: unknown }).file_uuid;
    return typeof uuid === 'string' ? uuid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Every stored thumbnail matches its record and the bytes its request sent, every 200 has its
 * thumbnail, and no temp file is left. Returns how many files were checked.
 */
async function checkStoredThumbnails(
  dataDir: string,
  sentByUuid: Map<string, Buffer>,
  fail: (message: string) => void,
) {
  const metaDir = join(dataDir, 'meta');
  const filesDir = join(dataDir, 'files');
  const leftovers = [...(await readdir(metaDir)), ...(await readdir(filesDir))].filter((name) => name.endsWith('.tmp'));
  if (leftovers.length > 0) fail(`${leftovers.length} temp files left behind`);

  let checked = 0;
  for (const name of await readdir(metaDir)) {
    const record = JSON.parse(await readFile(join(metaDir, name), 'utf8')) as StoredUpload;
    if (record.kind !== 'thumbnail') continue;
    checked += 1;
    const bytes = await readFile(join(filesDir, record.storedName));
    const sent = sentByUuid.get(record.uuid);
    if (md5Of(bytes) !== record.md5 || bytes.length !== record.size)
      fail(`${record.storedName} does not match its record`);
    if (!sent) fail(`${record.storedName} was stored without a 200 answer`);
    else if (!sent.equals(bytes)) fail(`${record.storedName} holds other bytes than its request sent`);
  }
  if (checked !== sentByUuid.size) fail(`${sentByUuid.size} uploads answered 200 but ${checked} thumbnails are stored`);
  return checked;
}

export function formatLoadReport(report: LoadReport): string {
  const { options } = report;
  const rows: Array<[string, string]> = [
    [
      'uploads',
      `${options.amount} over ${options.connections} connections, server limit ${options.maxConcurrentUploads} at once`,
    ],
    ['200 stored', String(report.ok)],
    ['429 busy', String(report.busy)],
    ['requests/s', report.requestsPerSecond.toFixed(0)],
    ['latency p50', `${report.p50Ms} ms`],
    ['latency p99', `${report.p99Ms} ms`],
    ['duration', `${(report.durationMs / 1000).toFixed(2)} s`],
    ['files checked', `${report.checkedFiles} (MD5, size and bytes against record and request)`],
    ['result', report.failures.length === 0 ? 'PASS' : `FAIL\n  - ${report.failures.join('\n  - ')}`],
  ];
  return rows.map(([name, value]) => `${name.padEnd(14)} ${value}`).join('\n');
}
