/**
 * The platform composer's own way with several attachments, rebuilt from its description for the
 * `queue` section: every file chosen is previewed at once from a FileReader data URL in an `<img>`;
 * then one attachment after another, its media goes in a plain multipart XHR and its thumbnail is
 * scaled on the main thread through `<img>` and a canvas to 1920 px wide at JPEG quality 0.5 and
 * sent with the media's uuid. No MD5 is sent (the field is optional), so the baseline hashes nothing.
 */
import { loadImage, postMultipart, readAsDataUrl, toBlob } from './baseline';

const THUMBNAIL_WIDTH = 1920;
const THUMBNAIL_QUALITY = 0.5;

export interface ComposerTarget {
  baseUrl: string;
  token: string;
}

export interface StoredAttachment {
  mediaUuid: string;
  thumbnailUuid?: string;
  /** The thumbnail's `parent_file_uuid` as the server answered it. */
  parentUuid?: string;
}

export interface ComposerEvents {
  onUploaded: (attachment: StoredAttachment) => void;
  onError: (message: string) => void;
}

/** Renders the composer's picker and preview list into `root`. */
export function mountComposer(root: HTMLElement, target: ComposerTarget, events: ComposerEvents): void {
  const input = document.createElement('input');
  input.type = 'file';
  input.multiple = true;
  input.accept = 'image/*';
  const list = document.createElement('ul');
  list.style.cssText = 'display:flex;flex-wrap:wrap;gap:8px;list-style:none;padding:0';
  root.append(input, list);
  input.addEventListener('change', () => {
    const files = [...(input.files ?? [])];
    sendInTurn(
      files.map((file) => preview(list, file)),
      target,
      events,
    ).catch((error: unknown) => events.onError(String(error)));
  });
}

interface Previewed {
  file: File;
  dataUrl: Promise<string>;
}

function preview(list: HTMLUListElement, file: File): Previewed {
  const item = document.createElement('li');
  const image = document.createElement('img');
  image.alt = file.name;
  image.style.cssText = 'width:96px;height:96px;object-fit:cover';
  item.append(image, document.createTextNode(file.name));
  list.append(item);
  const dataUrl = readAsDataUrl(file).then((url) => {
    image.src = url;
    return url;
  });
  return { file, dataUrl };
}

async function sendInTurn(previews: Previewed[], target: ComposerTarget, events: ComposerEvents): Promise<void> {
  const url = `${target.baseUrl}/api/v2/pm/upload/`;
  for (const { file, dataUrl } of previews) {
    try {
      const media = (await postMultipart(
        url,
        target.token,
        { qqfilename: file.name, qqfiletype: file.type, qqtotalfilesize: String(file.size) },
        file,
        file.name,
      )) as { file_uuid: string };
      const thumbnail = await scaleToWidth(await dataUrl);
      const thumbnailName = `${file.name.replace(/\.\w+$/, '')}-thumbnail.jpg`;
      const stored = (await postMultipart(
        url,
        target.token,
        {
          qqparentuuid: media.file_uuid,
          qqfilename: thumbnailName,
          qqfiletype: thumbnail.type,
          qqtotalfilesize: String(thumbnail.size),
        },
        thumbnail,
        thumbnailName,
      )) as { file_uuid: string; parent_file_uuid: string };
      events.onUploaded({
        mediaUuid: media.file_uuid,
        thumbnailUuid: stored.file_uuid,
        parentUuid: stored.parent_file_uuid,
      });
    } catch (error) {
      events.onError(`${file.name}: ${String(error)}`);
    }
  }
}

async function scaleToWidth(dataUrl: string): Promise<Blob> {
  const image = await loadImage(dataUrl);
  const width = Math.min(THUMBNAIL_WIDTH, image.naturalWidth);
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = Math.max(1, Math.round((image.naturalHeight * width) / image.naturalWidth));
  const context = canvas.getContext('2d');
  if (!context) throw new Error('No 2D canvas context');
  context.imageSmoothingQuality = 'high';
  context.drawImage(image, 0, 0, canvas.width, canvas.height);
  const blob = await toBlob(canvas, 'image/jpeg', THUMBNAIL_QUALITY);
  canvas.width = 0;
  return blob;
}
