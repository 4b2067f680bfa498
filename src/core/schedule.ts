/** Work done in one task before the page is let run: far below a 50 ms task, even on a slow phone. */
const TASK_BUDGET_MS = 8;

/**
 * Asks each file its size, a few files per task. Chromium reads a picked or dropped file's size from
 * the disk, synchronously, the first time it is asked (about 0.6 ms a file here) and keeps it; a
 * dropzone asks every file in one task, so 30 photos held the page for 20–45 ms. None is asked in the
 * caller's task either: that is the drop's or the input's, which has enough to do. Anything that is
 * not a file (a DataTransferItem while dragging) is passed over, and a drag waits for no turn.
 */
export async function knowSizesInTurns(files: readonly unknown[]): Promise<void> {
  let since = -Infinity;
  for (const file of files) {
    if (!(file instanceof Blob)) continue;
    if (performance.now() - since > TASK_BUDGET_MS) {
      // A few turns per drop: the timer's clamp (after five nested ones) never comes into play.
      await new Promise((resolve) => setTimeout(resolve));
      since = performance.now();
    }
    void file.size;
  }
}
