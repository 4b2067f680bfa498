/**
 * A WebM recorded by MediaRecorder from a canvas: green all over for its first `greenSeconds`, then
 * red on the left half and blue on the right, for `seconds` in all. Recorded in real time, so frames
 * carry their times; like every MediaRecorder WebM, it says nothing of its duration.
 *
 * Self-contained (no import, no name from outside): where the browser under test records no WebM
 * (WebKit), test/support/chromiumVideos.ts runs its source text in Chromium instead.
 */
export async function recordVideo(width: number, height: number, seconds: number, greenSeconds = 0): Promise<Blob> {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext('2d')!;
  const recorder = new MediaRecorder(canvas.captureStream(30), { mimeType: 'video/webm;codecs=vp8' });
  const chunks: Blob[] = [];
  recorder.ondataavailable = ({ data }) => chunks.push(data);
  const stopped = new Promise((resolve) => (recorder.onstop = resolve));
  const start = performance.now();
  let frame = 0;
  const paint = () => {
    const green = performance.now() - start < greenSeconds * 1000;
    context.fillStyle = green ? 'rgb(0, 255, 0)' : 'rgb(255, 0, 0)';
    context.fillRect(0, 0, width, height);
    if (!green) {
      context.fillStyle = 'rgb(0, 0, 255)';
      context.fillRect(width / 2, 0, width / 2, height);
    }
    // One pixel that changes every frame, so that the stream has a new frame to record each time.
    context.fillStyle = (frame += 1) % 2 ? '#000' : '#fff';
    context.fillRect(0, 0, 1, 1);
  };
  paint();
  recorder.start();
  const timer = setInterval(paint, 1000 / 30);
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  clearInterval(timer);
  recorder.stop();
  await stopped;
  return new Blob(chunks, { type: 'video/webm' });
}

/** The videos test/browser/videoFrame.test.ts reads frames from, by name: [width, height, seconds, greenSeconds]. */
export const TEST_VIDEOS = {
  wide: [320, 180, 2.5, 0.15],
  tall: [180, 320, 1, 0],
  short: [64, 36, 0.3, 0],
} as const;

export type RecordedVideos = Record<keyof typeof TEST_VIDEOS, string>;

/**
 * A test video recorded by this browser, or, where its MediaRecorder records no WebM (WebKit), the
 * same video recorded in Chromium by the project's global setup (test/support/chromiumVideos.ts).
 */
export async function testVideo(name: keyof typeof TEST_VIDEOS, recorded?: RecordedVideos): Promise<Blob> {
  if (typeof MediaRecorder === 'function' && MediaRecorder.isTypeSupported('video/webm;codecs=vp8'))
    return recordVideo(...(TEST_VIDEOS[name] as [number, number, number, number]));
  if (!recorded) throw new Error(`This browser records no WebM, and no video "${name}" was recorded for it.`);
  const bytes = Uint8Array.from(atob(recorded[name]), (char) => char.charCodeAt(0));
  return new Blob([bytes], { type: 'video/webm' });
}
