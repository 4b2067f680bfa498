/** What play functions do and look for, in the words of a person using the widget. */
import { expect, fireEvent, userEvent, waitFor } from 'storybook/test';
import type { UploaderState } from '../../src';

/** The widget's root: the element that carries `data-state`. */
export function uploaderRoot(canvasElement: HTMLElement): HTMLElement {
  const root = canvasElement.querySelector<HTMLElement>('[data-state]');
  if (!root) throw new Error('No element with data-state: is the ThumbnailUploader rendered?');
  return root;
}

/** The hidden `<input type="file">` behind "Choose image": what the browser's file picker fills. */
export function fileInput(canvasElement: HTMLElement): HTMLInputElement {
  const input = canvasElement.querySelector<HTMLInputElement>('input[type="file"]');
  if (!input) throw new Error('No <input type="file"> in the uploader.');
  return input;
}

/** Picks a file as the file picker would after the person pressed "Choose image". */
export async function chooseFile(canvasElement: HTMLElement, file: File): Promise<void> {
  await userEvent.upload(fileInput(canvasElement), file);
}

/**
 * A real DragEvent carrying a real DataTransfer, as the browser fires it for a drag from the
 * desktop. (`fireEvent.dragEnter(el, { dataTransfer })` would copy the DataTransfer's own
 * properties into a new one: it has none, so the files would be lost.)
 */
function dragEvent(type: 'dragenter' | 'dragover' | 'drop', files: File[]): DragEvent {
  const dataTransfer = new DataTransfer();
  for (const file of files) dataTransfer.items.add(file);
  return new DragEvent(type, { bubbles: true, cancelable: true, composed: true, dataTransfer });
}

/** Drags files from the desktop over the widget, and holds them there. */
export async function dragFilesOver(canvasElement: HTMLElement, files: File[]): Promise<void> {
  const root = uploaderRoot(canvasElement);
  await fireEvent(root, dragEvent('dragenter', files));
  await fireEvent(root, dragEvent('dragover', files));
}

/** Drags files over the widget, waits for it to light up as a person would, and lets go. */
export async function dropFiles(canvasElement: HTMLElement, files: File[]): Promise<void> {
  await dragFilesOver(canvasElement, files);
  // react-dropzone reads the dragged files asynchronously; a drop before that is not something a hand can do.
  const root = uploaderRoot(canvasElement);
  if (root.dataset.disabled === undefined) await expectState(canvasElement, 'dragging');
  await fireEvent(uploaderRoot(canvasElement), dragEvent('drop', files));
}

/** Waits until the widget shows `state`; `timeout` leaves room for automatic retries with backoff. */
export async function expectState(canvasElement: HTMLElement, state: UploaderState, timeout = 5000): Promise<void> {
  await waitFor(() => expect(uploaderRoot(canvasElement)).toHaveAttribute('data-state', state), { timeout });
}
