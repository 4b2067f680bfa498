import { createServer } from 'node:net';

/**
 * Port of the reference server the Live stories upload to under `npm test`: a free one, chosen when
 * the config loads (it is compiled into the stories), and kept in the environment so that the global
 * setup that starts the server, and any reload of the config, use the same.
 */
export async function liveTestPort(): Promise<number> {
  if (process.env.RTU_LIVE_PORT) return Number(process.env.RTU_LIVE_PORT);
  const port = await new Promise<number>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port: free } = probe.address() as { port: number };
      probe.close(() => resolve(free));
    });
  });
  process.env.RTU_LIVE_PORT = String(port);
  return port;
}
