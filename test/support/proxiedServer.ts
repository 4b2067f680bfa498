import { startRecordingProxy, type ProxyFaults } from './faultServer';
import { startReferenceServer, type ReferenceServer } from './referenceServer';

/**
 * The reference server of a test file, and recording proxies in front of it (to count, read or
 * break requests), each proxy closed after its test.
 */
export function withProxiedReferenceServer() {
  const closing: Array<{ close: () => Promise<void> }> = [];
  const reference = {
    server: undefined as unknown as ReferenceServer,
    proxyToServer: async (faults?: ProxyFaults) => {
      const proxy = await startRecordingProxy(reference.server.url, faults);
      closing.push(proxy);
      return proxy;
    },
  };
  beforeAll(async () => {
    reference.server = await startReferenceServer();
  });
  afterAll(() => reference.server.close());
  afterEach(async () => {
    for (const other of closing.splice(0)) await other.close();
  });
  return reference;
}
