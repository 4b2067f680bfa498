/**
 * A real, playable WebM video recorded in the browser from an animated canvas (a sun crossing the
 * landscape of images.ts), so that a story attaches what a person's clip would be; never a binary
 * fixture in the repository.
 */
import { makeImageBlob } from './images';

export async function makeVideoFile(
  name: string,
  {
    seconds = 1.5,
    width = 320,
    height = 240,
    hue = 200,
  }: { seconds?: number; width?: number; height?: number; hue?: number } = {},
): Promise<File> {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext('2d');
  if (!context) throw new Error('This browser has no 2D canvas, so the story cannot make its video.');
  const background = await createImageBitmap(await makeImageBlob({ width, height, hue }));
  const draw = (at: number) => {
    context.drawImage(background, 0, 0);
    context.fillStyle = '#fff6d5';
    context.beginPath();
    context.arc(width * at, height * 0.2, height * 0.08, 0, Math.PI * 2);
    context.fill();
  };
  draw(0);

  const recorder = new MediaRecorder(canvas.captureStream(25), { mimeType: 'video/webm' });
  const parts: Blob[] = [];
  recorder.ondataavailable = (event) => parts.push(event.data);
  const stopped = new Promise((resolve) => (recorder.onstop = resolve));
  recorder.start(100);
  const start = performance.now();
  await new Promise<void>((resolve) => {
    const frame = () => {
      const elapsed = (performance.now() - start) / 1000;
      draw(Math.min(1, elapsed / seconds));
      // Timers, not animation frames: a background or headless tab may not paint.
      if (elapsed >= seconds) resolve();
      else window.setTimeout(frame, 40);
    };
    frame();
  });
  recorder.stop();
  await stopped;
  background.close();
  return new File(parts, name, { type: 'video/webm', lastModified: Date.UTC(2024, 0, 1) });
}
