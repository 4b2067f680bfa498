/**
 * Real, decodable images made on a canvas, so that the uploader's magic-byte check sees what a
 * person's photo would give it; never a binary fixture in the repository.
 */

export type ImageType = 'image/png' | 'image/jpeg';

export interface ImageOptions {
  width?: number;
  height?: number;
  type?: ImageType;
  /** Text drawn in the middle, so that a screenshot shows which image went where. */
  label?: string;
  /** Hue of the background gradient, 0–360. */
  hue?: number;
  /**
   * Covers the picture with seeded noise: PNG cannot compress it, so the file is about
   * width × height × 4 bytes, which is how a story gets an image over a size limit.
   */
  noise?: boolean;
}

export async function makeImageBlob({ width = 320, height = 240, type = 'image/png', label, hue = 214, noise = false }: ImageOptions = {}): Promise<Blob> {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext('2d');
  if (!context) throw new Error('This browser has no 2D canvas, so the story cannot make its image.');

  const gradient = context.createLinearGradient(0, 0, width, height);
  gradient.addColorStop(0, `hsl(${hue} 70% 45%)`);
  gradient.addColorStop(1, `hsl(${(hue + 60) % 360} 70% 35%)`);
  context.fillStyle = gradient;
  context.fillRect(0, 0, width, height);
  context.fillStyle = 'rgb(255 255 255 / 0.25)';
  context.beginPath();
  context.arc(width * 0.72, height * 0.3, Math.min(width, height) * 0.22, 0, Math.PI * 2);
  context.fill();

  if (noise) addNoise(context, width, height);

  if (label) {
    context.fillStyle = '#ffffff';
    context.font = `600 ${Math.max(12, Math.round(Math.min(width, height) / 8))}px system-ui, sans-serif`;
    context.textAlign = 'center';
    context.textBaseline = 'middle';
    context.fillText(label, width / 2, height / 2, width * 0.9);
  }

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
