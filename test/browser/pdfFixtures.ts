/**
 * PDFs written by hand, byte for byte, so that no binary fixture is stored: one page of `width` ×
 * `height` points with a red rectangle on its upper half and a line of text below, or the same file
 * locked with a password, or bytes that only start like a PDF.
 */
const encoder = new TextEncoder();

/** A whole PDF from its objects' bodies (object n is `objects[n - 1]`), with a correct cross-reference table. */
function pdfOf(objects: string[], trailer = ''): Uint8Array<ArrayBuffer> {
  let text = '%PDF-1.4\n';
  const offsets = objects.map((body, i) => {
    const offset = text.length;
    text += `${i + 1} 0 obj\n${body}\nendobj\n`;
    return offset;
  });
  const xref = text.length;
  text += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) text += `${String(offset).padStart(10, '0')} 00000 n \n`;
  text += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R ${trailer}>>\nstartxref\n${xref}\n%%EOF\n`;
  return encoder.encode(text);
}

/** The red rectangle's place, in points from the page's top left: x 1/6 to 5/6, y 1/10 to 4/10 of the page. */
export const RECTANGLE = { left: 1 / 6, right: 5 / 6, top: 1 / 10, bottom: 4 / 10 };

function pageObjects(width: number, height: number): string[] {
  const x = width * RECTANGLE.left;
  const w = width * (RECTANGLE.right - RECTANGLE.left);
  const y = height * (1 - RECTANGLE.bottom);
  const h = height * (RECTANGLE.bottom - RECTANGLE.top);
  const content = `1 0 0 rg ${x} ${y} ${w} ${h} re f\nBT /F1 24 Tf ${x} ${height / 4} Td (First page) Tj ET`;
  return [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${width} ${height}] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>`,
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
}

export function onePagePdf(width: number, height: number): Uint8Array<ArrayBuffer> {
  return pdfOf(pageObjects(width, height));
}

/**
 * The page under the standard security handler (RC4, revision 2) with a user password: its /U value
 * matches no empty password, so a reader must ask for one.
 */
export function passwordPdf(width: number, height: number): Uint8Array<ArrayBuffer> {
  const hex = (byte: number) => `<${byte.toString(16).padStart(2, '0').repeat(32)}>`;
  const encrypt = `<< /Filter /Standard /V 1 /R 2 /O ${hex(0x4f)} /U ${hex(0x55)} /P -4 >>`;
  const id = '<0123456789abcdef0123456789abcdef>';
  return pdfOf([...pageObjects(width, height), encrypt], `/Encrypt 6 0 R /ID [${id} ${id}] `);
}

/** A PDF header, then noise: no cross-reference, no objects. */
export function damagedPdf(): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(4096);
  for (let i = 0; i < bytes.length; i += 1) bytes[i] = (i * 7919) % 251;
  bytes.set(encoder.encode('%PDF-1.7\n'));
  return bytes;
}
