import { inject } from 'vitest';

/**
 * Setup file of the story tests, run in the browser before each story file: where this project's
 * reference server listens (its global setup started it on `liveServerPort`), for the Live stories.
 * Given at run time, not compiled in with `define`: the story projects of the three engines share
 * compiled modules, and a port compiled in by one project reached the stories of another.
 */
Object.assign(globalThis, {
  __RTU_LIVE_SERVER__: { url: `http://127.0.0.1:${inject('liveServerPort')}`, required: true },
});
