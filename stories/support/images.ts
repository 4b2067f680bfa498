/**
 * Real, decodable images made on a canvas, so that the uploader's magic-byte check sees what a
 * person's photo would give it; never a binary fixture in the repository. Each is a small
 * landscape (sky, sun, mountains, a lake), so that the stories and the screenshots made from them
 * show something that looks like a picture a person would upload.
 */

export type ImageType = 'image/png' | 'image/jpeg';

export interface ImageOptions {
  width?: number;
  height?: number;
  type?: ImageType;
  /** Hue of the sky, 0–360 (20: sunset, 200: a clear day, 260: dusk); the landscape's colours follow it. */
  hue?: number;
  /**
   * Covers the picture with seeded noise: PNG cannot compress it, so the file is about
   * width × height × 4 bytes, which is how a story gets an image over a size limit.
   */
  noise?: boolean;
}

export async function makeImageBlob({
  width = 640,
  height = 480,
  type = 'image/png',
  hue = 214,
  noise = false,
}: ImageOptions = {}): Promise<Blob> {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext('2d');
  if (!context) throw new Error('This browser has no 2D canvas, so the story cannot make its image.');

  paintLandscape(context, width, height, hue);
  if (noise) addNoise(context, width, height);

  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, type, 0.9));
  if (!blob) throw new Error(`The canvas could not encode a ${width}×${height} ${type}.`);
  return blob;
}

/** An image as a person would pick it: a File with a name and the type the browser infers from it. */
export async function makeImageFile(name: string, options: ImageOptions = {}): Promise<File> {
  const type = options.type ?? (/\.jpe?g$/i.test(name) ? 'image/jpeg' : 'image/png');
  const blob = await makeImageBlob({ ...options, type });
  return new File([blob], name, { type, lastModified: Date.UTC(2024, 0, 1) });
}

/**
 * A file whose bytes are text whatever its name says; `type` is what the browser would
 * declare from the name (a `.png` gets `image/png`), which is why only the bytes can tell.
 */
export function makeTextFile(name: string, text = 'These are notes, not a picture.\n', type = 'text/plain'): File {
  return new File([text], name, { type, lastModified: Date.UTC(2024, 0, 1) });
}

function addNoise(context: CanvasRenderingContext2D, width: number, height: number): void {
  const pixels = context.getImageData(0, 0, width, height);
  // A fixed seed keeps the image (and its size) the same on every run.
  let seed = 0x9e3779b9;
  for (let i = 0; i < pixels.data.length; i += 4) {
    for (let channel = 0; channel < 3; channel += 1) {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      pixels.data[i + channel] = seed >>> 24;
    }
  }
  context.putImageData(pixels, 0, 0);
}

/** A seeded generator: the same hue always paints the same landscape (and so the same bytes). */
function seededRandom(seed: number): () => number {
  let state = (seed * 2654435761) >>> 0 || 1;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** A mountain ridge by midpoint displacement: heights (0–1 of the image) at `2^depth + 1` evenly spaced points. */
function ridge(random: () => number, base: number, roughness: number, depth = 6): number[] {
  const count = 2 ** depth;
  const heights = new Array<number>(count + 1).fill(base);
  heights[0] = base + (random() - 0.5) * roughness;
  heights[count] = base + (random() - 0.5) * roughness;
  for (let step = count, spread = roughness; step > 1; step /= 2, spread *= 0.55) {
    for (let i = step / 2; i < count; i += step) {
      heights[i] = ((heights[i - step / 2] ?? base) + (heights[i + step / 2] ?? base)) / 2 + (random() - 0.5) * spread;
    }
  }
  return heights;
}

function fillRidge(
  context: CanvasRenderingContext2D,
  width: number,
  height: number,
  heights: number[],
  bottom: number,
  colour: string,
): void {
  context.fillStyle = colour;
  context.beginPath();
  context.moveTo(0, bottom);
  heights.forEach((y, i) => context.lineTo((i / (heights.length - 1)) * width, y * height));
  context.lineTo(width, bottom);
  context.closePath();
  context.fill();
}

/** Sky, sun, three ranges of mountains with pines, and a lake that mirrors the light. */
function paintLandscape(context: CanvasRenderingContext2D, width: number, height: number, hue: number): void {
  const random = seededRandom(hue + 1);
  const shore = height * 0.7;
  const unit = Math.min(width, height);

  const sky = context.createLinearGradient(0, 0, 0, shore);
  sky.addColorStop(0, `hsl(${hue} 55% 52%)`);
  sky.addColorStop(0.65, `hsl(${hue + 25} 70% 74%)`);
  sky.addColorStop(1, `hsl(${hue + 40} 85% 86%)`);
  context.fillStyle = sky;
  context.fillRect(0, 0, width, shore);

  const sunX = width * (0.62 + random() * 0.16);
  const sunY = height * 0.25;
  const glow = context.createRadialGradient(sunX, sunY, 0, sunX, sunY, unit * 0.45);
  glow.addColorStop(0, `hsl(${hue + 45} 100% 92% / 0.75)`);
  glow.addColorStop(1, `hsl(${hue + 45} 100% 92% / 0)`);
  context.fillStyle = glow;
  context.fillRect(0, 0, width, shore);
  context.fillStyle = `hsl(${hue + 50} 100% 95%)`;
  context.beginPath();
  context.arc(sunX, sunY, unit * 0.085, 0, Math.PI * 2);
  context.fill();

  fillRidge(context, width, height, ridge(random, 0.48, 0.3), shore, `hsl(${hue - 10} 26% 68%)`);
  fillRidge(context, width, height, ridge(random, 0.52, 0.3), shore, `hsl(${hue - 20} 30% 50%)`);
  const near = ridge(random, 0.64, 0.12, 5);
  fillRidge(context, width, height, near, shore, `hsl(${hue - 35} 34% 30%)`);

  // Pines along the nearest ridge.
  context.fillStyle = `hsl(${hue - 45} 38% 20%)`;
  for (let x = random() * unit * 0.05; x < width; x += unit * (0.025 + random() * 0.05)) {
    const index = Math.min(near.length - 1, Math.round((x / width) * (near.length - 1)));
    const top = (near[index] ?? 0.64) * height;
    const tall = unit * (0.05 + random() * 0.07);
    const half = tall * 0.28;
    context.beginPath();
    context.moveTo(x, top - tall);
    context.lineTo(x + half, top + 2);
    context.lineTo(x - half, top + 2);
    context.closePath();
    context.fill();
  }

  const lake = context.createLinearGradient(0, shore, 0, height);
  lake.addColorStop(0, `hsl(${hue + 30} 60% 76%)`);
  lake.addColorStop(1, `hsl(${hue} 45% 40%)`);
  context.fillStyle = lake;
  context.fillRect(0, shore, width, height - shore);

  // The sun's reflection: short strokes on the water, narrower and fainter towards the viewer.
  const rows = 9;
  for (let row = 0; row < rows; row += 1) {
    const y = shore + ((row + 0.6) / rows) * (height - shore);
    const span = unit * (0.16 - row * 0.012) * (0.55 + random() * 0.6);
    const offset = (random() - 0.5) * unit * 0.03;
    context.fillStyle = `hsl(${hue + 50} 100% 95% / ${0.85 - row * 0.07})`;
    context.fillRect(sunX - span / 2 + offset, y, span, Math.max(1, unit * 0.007));
  }
}
