/**
 * The reference upload API for Storybook and local testing: `tsx server/main.ts [--port 8787]
 * [--host 127.0.0.1] [--token dev-token] [--data-dir .data/] [--max-body-bytes N]
 * [--request-timeout-ms N] [--max-concurrent-uploads N] [--stale-upload-ms N]
 * [--max-chunked-file-bytes N]`. The flags override the environment variables PORT, HOST,
 * UPLOAD_TOKEN, DATA_DIR, MAX_BODY_BYTES, REQUEST_TIMEOUT_MS, MAX_CONCURRENT_UPLOADS,
 * STALE_UPLOAD_MS and MAX_CHUNKED_FILE_BYTES.
 */
import { parseArgs } from 'node:util';
import { startServer } from './app';

/** Undefined when unset, so that the server's own default applies. */
function wholeNumber(name: string, value: string | undefined, min = 0): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min) {
    throw new Error(`${name} must be a whole number${min > 0 ? ` of at least ${min}` : ''}, not "${value}".`);
  }
  return Number(value);
}

async function main(): Promise<void> {
  const { values: flags } = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      token: { type: 'string' },
      'data-dir': { type: 'string' },
      'max-body-bytes': { type: 'string' },
      'request-timeout-ms': { type: 'string' },
      'max-concurrent-uploads': { type: 'string' },
      'stale-upload-ms': { type: 'string' },
      'max-chunked-file-bytes': { type: 'string' },
    },
  });
  const env = process.env;
  const port = wholeNumber('The port', flags.port ?? env.PORT);
  if (port !== undefined && port > 65535) throw new Error(`The port must be at most 65535, not ${port}.`);

  const server = await startServer({
    port,
    host: flags.host ?? env.HOST,
    token: flags.token ?? env.UPLOAD_TOKEN,
    dataDir: flags['data-dir'] ?? env.DATA_DIR,
    maxBodyBytes: wholeNumber('The body limit', flags['max-body-bytes'] ?? env.MAX_BODY_BYTES),
    requestTimeoutMs: wholeNumber('The request timeout', flags['request-timeout-ms'] ?? env.REQUEST_TIMEOUT_MS, 1),
    maxConcurrentUploads: wholeNumber(
      'The upload limit',
      flags['max-concurrent-uploads'] ?? env.MAX_CONCURRENT_UPLOADS,
      1,
    ),
    staleUploadMs: wholeNumber('The stale upload age', flags['stale-upload-ms'] ?? env.STALE_UPLOAD_MS, 1),
    maxChunkedFileBytes: wholeNumber(
      'The chunked file limit',
      flags['max-chunked-file-bytes'] ?? env.MAX_CHUNKED_FILE_BYTES,
      1,
    ),
  });
  console.log(`Reference upload API listening on ${server.url}  token: ${server.token}  data: ${server.dataDir}`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    // A second Ctrl-C means "now", without waiting for uploads in flight.
    if (stopping) process.exit(130);
    stopping = true;
    console.log(`${signal}: stopping the upload API.`);
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(`The upload API did not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
