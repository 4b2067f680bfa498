import { onePagePdf } from '../../test/browser/pdfFixtures';

/** A PDF as a person would attach it: one page of 300 × 420 points (a red band, a line of text), written in code. */
export function makePdfFile(name = 'report.pdf'): File {
  return new File([onePagePdf(300, 420)], name, { type: 'application/pdf', lastModified: Date.UTC(2024, 0, 1) });
}

/** What an app's `makeThumbnail` might give for a document: its first page, drawn on a canvas, as a PNG. */
export async function drawFirstPage(file: File): Promise<Blob> {
  const canvas = document.createElement('canvas');
  canvas.width = 240;
  canvas.height = 320;
  const context = canvas.getContext('2d');
  if (!context) throw new Error('This browser has no 2D canvas.');
  context.fillStyle = '#ffffff';
  context.fillRect(0, 0, 240, 320);
  context.fillStyle = '#1f2933';
  context.font = 'bold 18px sans-serif';
  context.fillText(file.name, 20, 40);
  context.fillStyle = '#9aa5b1';
  for (let line = 0; line < 12; line += 1) context.fillRect(20, 70 + line * 18, 160 + ((line * 37) % 40), 6);
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
  if (!blob) throw new Error('The canvas could not encode the page.');
  return blob;
}

/** A file of some type with no picture in it (audio, an archive, …): its first bytes are its type's, the rest noise. */
export function makeOpaqueFile(name: string, type: string, magic: string, size = 48 * 1024): File {
  const bytes = new Uint8Array(size);
  crypto.getRandomValues(bytes);
  bytes.set(new TextEncoder().encode(magic));
  return new File([bytes], name, { type, lastModified: Date.UTC(2024, 0, 1) });
}

/** A song, as a person would attach one (an ID3 tag, then noise). */
export const makeMp3File = (name = 'voice-note.mp3') => makeOpaqueFile(name, 'audio/mpeg', 'ID3\u0004');

/** An archive (a local file header, then noise). */
export const makeZipFile = (name = 'photos.zip') => makeOpaqueFile(name, 'application/zip', 'PK\u0003\u0004');
