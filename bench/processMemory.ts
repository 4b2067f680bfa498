/**
 * Resident memory of the Chromium renderer processes this bench started (Linux /proc): their peak
 * during some work, read from VmHWM after resetting it through `clear_refs`. Unlike the JS heap it
 * sees decoded pixels, canvases and strings kept outside V8's heap (a data URL is one).
 */
import { readFile, readdir, writeFile } from 'node:fs/promises';

async function children(): Promise<Map<number, number[]>> {
  const tree = new Map<number, number[]>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // The command name is in parentheses and may hold spaces; the parent pid is the 2nd field after it.
    const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (!Number.isInteger(parent)) continue;
    tree.set(parent, [...(tree.get(parent) ?? []), Number(entry)]);
  }
  return tree;
}

/** Renderer processes descending from this Node process (Playwright starts Chromium as its child). */
export async function rendererPids(): Promise<number[]> {
  const tree = await children();
  const found: number[] = [];
  const walk = async (pid: number) => {
    for (const child of tree.get(pid) ?? []) {
      const cmdline = await readFile(`/proc/${child}/cmdline`, 'utf8').catch(() => '');
      if (cmdline.includes('--type=renderer')) found.push(child);
      await walk(child);
    }
  };
  await walk(process.pid);
  return found;
}

async function statusKb(pid: number, field: 'VmRSS' | 'VmHWM'): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  return match ? Number(match[1]) * 1024 : 0;
}

export interface RssPeak {
  idleBytes: number;
  peakBytes: number;
  processes: number;
}

/** Sum over renderers of their peak RSS during `work`, and of their RSS before it. */
export async function rendererPeakDuring(work: () => Promise<unknown>): Promise<RssPeak> {
  const before = await rendererPids();
  let idleBytes = 0;
  for (const pid of before) {
    idleBytes += await statusKb(pid, 'VmRSS');
    // "5" resets VmHWM to the current RSS (Linux 4.0+).
    await writeFile(`/proc/${pid}/clear_refs`, '5');
  }
  await work();
  const after = [...new Set([...before, ...(await rendererPids())])];
  let peakBytes = 0;
  for (const pid of after) peakBytes += await statusKb(pid, 'VmHWM');
  return { idleBytes, peakBytes, processes: after.length };
}
