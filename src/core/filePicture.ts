/** The shape drawn for a kind of file. */
export type Glyph = 'audio' | 'video' | 'document' | 'archive' | 'file';

const AUDIO = /^(mp3|m4a|aac|wav|ogg|oga|opus|flac|weba|aiff?|midi?|amr)$/;
const VIDEO = /^(mp4|m4v|mov|webm|mkv|avi|3gp|ogv|wmv|hevc)$/;
const ARCHIVE = /^(zip|rar|7z|tar|gz|tgz|bz2|xz|zst)$/;
const DOCUMENT = /^(pdf|docx?|odt|rtf|txt|md|pages|epub|xlsx?|ods|csv|numbers|pptx?|odp|key)$/;

/** Strong on the light card (6.7:1 and more), and told apart by shape, not only by hue. */
const ACCENT: Record<Glyph, string> = {
  audio: '#6d28d9',
  video: '#9f1239',
  document: '#1d4ed8',
  archive: '#92400e',
  file: '#334155',
};

/** The extension of a name, lower case; '' for none (`README`, `.env`). */
export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

/** By the extension first (a .docx is a ZIP inside), then by the declared type. */
export function glyphOf(file: File): Glyph {
  const extension = extensionOf(file.name);
  if (AUDIO.test(extension) || file.type.startsWith('audio/')) return 'audio';
  if (VIDEO.test(extension) || file.type.startsWith('video/')) return 'video';
  if (ARCHIVE.test(extension) || /zip|compressed|x-tar/.test(file.type)) return 'archive';
  if (DOCUMENT.test(extension) || /^text\/|pdf|document|msword|sheet|presentation/.test(file.type)) return 'document';
  return 'file';
}

export interface FilePictureOptions {
  /** Pixels a side. */
  size: number;
  /** The name as shown, shortened already (squeezed further if it is still too wide). */
  caption: string;
}

/**
 * A picture for a file that has none of its own (audio, archives, any document, a video the browser cannot play): a light opaque card
 * with a dark edge, so that it reads on light and dark pages alike, holding the type's glyph, the
 * extension in capitals and the name. Square; WebP where the browser encodes it (WebKit gives PNG:
 * the caller names it after its bytes).
 */
export async function drawFilePicture(file: File, { size, caption }: FilePictureOptions): Promise<Blob> {
  const canvas = new OffscreenCanvas(size, size);
  const context = canvas.getContext('2d');
  if (!context) throw new Error('This browser has no 2D OffscreenCanvas.');
  // Drawn on a 512 grid, whatever the size.
  context.scale(size / 512, size / 512);
  context.fillStyle = '#64748b';
  context.fillRect(0, 0, 512, 512);
  context.fillStyle = '#f8fafc';
  context.fillRect(8, 8, 496, 496);

  const glyph = glyphOf(file);
  context.fillStyle = ACCENT[glyph];
  drawGlyph(context, glyph);

  context.textAlign = 'center';
  context.textBaseline = 'middle';
  context.fillStyle = '#0f172a';
  const extension = extensionOf(file.name).toUpperCase().slice(0, 8);
  if (extension) {
    context.font = 'bold 64px system-ui, sans-serif';
    context.fillText(extension, 256, 370, 448);
  }
  context.font = '28px system-ui, sans-serif';
  context.fillStyle = '#334155';
  context.fillText(caption, 256, 448, 448);
  return canvas.convertToBlob({ type: 'image/webp', quality: 0.9 });
}

/** Simple filled shapes in the upper half, about 200 pixels tall. */
function drawGlyph(context: OffscreenCanvasRenderingContext2D, glyph: Glyph): void {
  if (glyph === 'audio') {
    // Two eighth notes joined by a beam.
    context.beginPath();
    context.ellipse(196, 270, 34, 26, -0.4, 0, 2 * Math.PI);
    context.ellipse(320, 246, 34, 26, -0.4, 0, 2 * Math.PI);
    context.fill();
    context.fillRect(218, 110, 14, 160);
    context.fillRect(342, 86, 14, 160);
    fillPolygon(context, [218, 110], [356, 86], [356, 126], [218, 150]);
    return;
  }
  if (glyph === 'video') {
    // A screen with a play button on it.
    context.fillRect(136, 100, 240, 180);
    context.fillStyle = '#f8fafc';
    fillPolygon(context, [226, 140], [306, 190], [226, 240]);
    return;
  }
  if (glyph === 'archive') {
    // A box with its lid and a zip down the middle.
    context.fillRect(166, 140, 180, 160);
    context.fillRect(154, 100, 204, 48);
    context.fillStyle = '#f8fafc';
    for (let y = 108; y < 292; y += 24) context.fillRect(y % 48 === 12 ? 244 : 256, y, 12, 12);
    return;
  }
  // A page with its corner folded; a document has lines of text on it.
  fillPolygon(context, [176, 84], [296, 84], [336, 124], [336, 304], [176, 304]);
  context.fillStyle = '#f8fafc';
  fillPolygon(context, [296, 92], [328, 124], [296, 124]);
  if (glyph === 'document') for (let y = 164; y <= 264; y += 28) context.fillRect(200, y, y === 264 ? 72 : 112, 10);
}

/** Fills the polygon through the points given. */
function fillPolygon(
  context: OffscreenCanvasRenderingContext2D,
  [x, y]: [number, number],
  ...rest: Array<[number, number]>
): void {
  context.beginPath();
  context.moveTo(x, y);
  for (const point of rest) context.lineTo(...point);
  context.fill();
}
