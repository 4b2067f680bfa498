import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startServer } from '../../server/app';
import { liveTestPort } from './ports';

/**
 * Vitest global setup of the story tests and the browser tests: the real reference server, so that the
 * Live stories (and the browser tests that upload) upload for real; on the port of the project
 * (`provide.liveServerPort`): each engine's project has its own.
 */
export default async function setup(project: TestProject) {
  const dataDir = await mkdtemp(join(tmpdir(), 'rtu-live-'));
  const port = Number(project.config.provide.liveServerPort ?? (await liveTestPort()));
  const server = await startServer({ port, dataDir }).catch((error: unknown) => {
    throw new Error(`The live uploads need port ${port} for the reference server: ${String(error)}`);
  });
  return async () => {
    await server.close();
    await rm(dataDir, { recursive: true, force: true });
  };
}
