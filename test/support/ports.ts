import { createServer } from 'node:net';

/** A loopback port free right now (the kernel's choice: two runs at once get two ports). */
export function freePort(): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port: free } = probe.address() as { port: number };
      probe.close(() => resolve(free));
    });
  });
}

/**
 * A free port chosen once per test run, when the config loads, and kept in the environment variable
 * `name`: the global setup that starts whatever listens there, and any reload of the config (which
 * runs again in each worker), find the same one.
 */
export async function portForRun(name: string): Promise<number> {
  if (process.env[name]) return Number(process.env[name]);
  const port = await freePort();
  process.env[name] = String(port);
  return port;
}

/**
 * Port of the reference server the Live stories upload to under `npm test`: compiled into the
 * stories, so chosen before they are.
 */
export const liveTestPort = () => portForRun('RTU_LIVE_PORT');
