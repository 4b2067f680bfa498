/** Port of the reference server the Live stories upload to under `npm test` (npm start uses 8787). */
export const LIVE_TEST_PORT = 8788;
