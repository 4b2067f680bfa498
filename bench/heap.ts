/**
 * JS heap of a page and of its dedicated workers, read over the DevTools protocol: the page's
 * `Performance.getMetrics` JSHeapUsedSize plus `Runtime.getHeapUsage` of every worker, reached
 * through (non-flat) auto-attach, since Playwright's CDP sessions cannot address child sessions.
 */
import type { CDPSession } from 'playwright-core';

export interface HeapPeak {
  /** Heap used after a forced GC, before the work started. */
  idleBytes: number;
  peakBytes: number;
  samples: number;
  /** Workers seen while sampling. */
  workers: number;
}

export class HeapSampler {
  private readonly workers = new Set<string>();
  private readonly pending = new Map<number, (usedSize: number | undefined) => void>();
  private nextId = 1;
  private workersSeen = 0;

  private constructor(private readonly cdp: CDPSession) {}

  static async attach(cdp: CDPSession): Promise<HeapSampler> {
    const sampler = new HeapSampler(cdp);
    cdp.on('Target.attachedToTarget', ({ sessionId, targetInfo }) => {
      if (targetInfo.type !== 'worker') return;
      sampler.workers.add(sessionId);
      sampler.workersSeen += 1;
    });
    cdp.on('Target.detachedFromTarget', ({ sessionId }) => {
      if (sessionId) sampler.workers.delete(sessionId);
    });
    cdp.on('Target.receivedMessageFromTarget', ({ message }) => {
      const answer = JSON.parse(message) as { id?: number; result?: { usedSize?: number } };
      if (answer.id === undefined) return;
      sampler.pending.get(answer.id)?.(answer.result?.usedSize);
      sampler.pending.delete(answer.id);
    });
    await cdp.send('Performance.enable');
    await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });
    return sampler;
  }

  async collectGarbage(): Promise<void> {
    await this.cdp.send('HeapProfiler.collectGarbage');
  }

  /** Page heap plus every live worker's, in bytes. */
  async sample(): Promise<number> {
    const [metrics, ...workers] = await Promise.all([
      this.cdp.send('Performance.getMetrics'),
      ...[...this.workers].map((id) => this.workerHeap(id)),
    ]);
    const page = metrics.metrics.find((metric) => metric.name === 'JSHeapUsedSize')?.value ?? 0;
    return workers.reduce<number>((sum, used) => sum + (used ?? 0), page);
  }

  /** Samples as fast as the page answers while `work` runs; the peak of page + workers. */
  async peakDuring(work: () => Promise<unknown>): Promise<HeapPeak> {
    await this.collectGarbage();
    const idleBytes = await this.sample();
    this.workersSeen = this.workers.size;
    let peakBytes = idleBytes;
    let samples = 0;
    let done = false;
    const sampling = (async () => {
      while (!done) {
        peakBytes = Math.max(peakBytes, await this.sample());
        samples += 1;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    try {
      await work();
    } finally {
      done = true;
      await sampling;
    }
    peakBytes = Math.max(peakBytes, await this.sample());
    return { idleBytes, peakBytes, samples: samples + 1, workers: this.workersSeen };
  }

  private workerHeap(sessionId: string): Promise<number | undefined> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve(undefined);
      }, 1000);
      this.pending.set(id, (used) => {
        clearTimeout(timer);
        resolve(used);
      });
      this.cdp
        .send('Target.sendMessageToTarget', {
          sessionId,
          message: JSON.stringify({ id, method: 'Runtime.getHeapUsage' }),
        })
        .catch(() => {
          clearTimeout(timer);
          this.pending.delete(id);
          resolve(undefined);
        });
    });
  }
}
