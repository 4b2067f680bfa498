/**
 * The common approach the bench compares against, as popular upload clients resize before upload:
 * the file read as a data URL, decoded by an `<img>`, drawn onto a canvas on the main thread,
 * encoded with `toBlob`; then posted with XMLHttpRequest, its MD5 from spark-md5 on the main thread.
 * One `drawImage` with high smoothing: the fastest form of it (no step-down passes), so any lead
 * ours has is not made of a weak baseline.
 */
import SparkMD5 from 'spark-md5';

export async function prepareWithCanvas(file: File, maxDimension: number, quality: number): Promise<Blob> {
  const dataUrl = await readAsDataUrl(file);
  const image = await loadImage(dataUrl);
  // `<img>` applies EXIF orientation, so natural sizes are those of the upright picture.
  const scale = Math.min(1, maxDimension / Math.max(image.naturalWidth, image.naturalHeight));
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.round(image.naturalWidth * scale));
  canvas.height = Math.max(1, Math.round(image.naturalHeight * scale));
  const context = canvas.getContext('2d');
  if (!context) throw new Error('No 2D canvas context');
  context.imageSmoothingQuality = 'high';
  context.drawImage(image, 0, 0, canvas.width, canvas.height);
  // PNG stays PNG so that its transparency survives, as those clients do.
  return toBlob(canvas, file.type === 'image/png' ? 'image/png' : 'image/jpeg', quality);
}

/** MD5 of a blob with spark-md5, read in the same 4 MiB slices as ours. */
export async function sparkMd5Hex(blob: Blob, sliceBytes: number): Promise<string> {
  const spark = new SparkMD5.ArrayBuffer();
  for (let offset = 0; offset < blob.size; offset += sliceBytes) {
    spark.append(await blob.slice(offset, offset + sliceBytes).arrayBuffer());
  }
  return spark.end();
}

/** A plain multipart XHR with the fields given (a media's or a thumbnail's) and the file as `qqfile`, as those clients send it. */
export function postMultipart(
  url: string,
  token: string,
  fields: Record<string, string>,
  file: Blob,
  fileName: string,
): Promise<unknown> {
  const body = new FormData();
  for (const [name, value] of Object.entries(fields)) body.append(name, value);
  body.append('qqfile', file, fileName);
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    xhr.setRequestHeader('Authorization', `Bearer ${token}`);
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.onload = () =>
      xhr.status === 200
        ? resolve(JSON.parse(xhr.responseText))
        : reject(new Error(`HTTP ${xhr.status}: ${xhr.responseText}`));
    xhr.onerror = () => reject(new Error('network error'));
    xhr.send(body);
  });
}

export function readAsDataUrl(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result as string);
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

export function loadImage(src: string): Promise<HTMLImageElement> {
  return new Promise((resolve, reject) => {
    const image = new Image();
    image.onload = () => resolve(image);
    image.onerror = () => reject(new Error('The image did not decode'));
    image.src = src;
  });
}

export function toBlob(canvas: HTMLCanvasElement, type: string, quality: number): Promise<Blob> {
  return new Promise((resolve, reject) =>
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('toBlob gave nothing'))), type, quality),
  );
}
