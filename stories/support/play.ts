/** What play functions do and look for, in the words of a person using the widget. */
import { expect, fireEvent, userEvent, waitFor } from 'storybook/test';
import type { UploadState } from '../../src';

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

/** Picks several files at once, as the file picker gives them to an input with `multiple`. */
export async function chooseFiles(canvasElement: HTMLElement, files: File[]): Promise<void> {
  await userEvent.upload(fileInput(canvasElement), files);
}

/** The list item of an attachment, found by the file name it shows. */
export function attachmentItem(canvasElement: HTMLElement, name: string): HTMLElement {
  const items = [...canvasElement.querySelectorAll<HTMLElement>('li[data-item]')];
  const item = items.find((candidate) => candidate.querySelector('.rtu__details > :first-child')?.textContent === name);
  if (!item) throw new Error(`No attachment named ${name} in the list.`);
  return item;
}

/** Waits until the attachment named `name` shows `state` (queued, uploading, paused, uploaded, error). */
export async function expectItemState(canvasElement: HTMLElement, name: string, state: string, timeout = 5000) {
  await waitFor(() => expect(attachmentItem(canvasElement, name)).toHaveAttribute('data-state', state), { timeout });
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
export async function expectState(canvasElement: HTMLElement, state: UploadState, timeout = 5000): Promise<void> {
  await waitFor(() => expect(uploaderRoot(canvasElement)).toHaveAttribute('data-state', state), { timeout });
}

/**
 * Stands in for the browser's file picker. "Choose image" opens it by clicking the hidden
 * `<input type="file">`; here that click is caught (so no real dialog is waited for) and counted,
 * and a file queued with `willChoose` is then handed to the input the way the browser does when a
 * person picks it: `files` set, `input` and `change` fired, focus left where it was.
 */
export interface FilePicker {
  /** How many times the picker was opened. */
  readonly opened: number;
  /** The file the person will pick the next time the picker opens. */
  willChoose(file: File): void;
  stop(): void;
}

export function fakeFilePicker(canvasElement: HTMLElement): FilePicker {
  const input = fileInput(canvasElement);
  let opened = 0;
  let next: File | null = null;
  const onClick = (event: MouseEvent) => {
    event.preventDefault();
    opened += 1;
    const chosen = next;
    next = null;
    if (!chosen) return;
    // The dialog answers after the click that opened it has been handled.
    window.setTimeout(() => {
      const transfer = new DataTransfer();
      transfer.items.add(chosen);
      input.files = transfer.files;
      input.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
      input.dispatchEvent(new Event('change', { bubbles: true }));
    });
  };
  input.addEventListener('click', onClick);
  return {
    get opened() {
      return opened;
    },
    willChoose: (file) => {
      next = file;
    },
    stop: () => input.removeEventListener('click', onClick),
  };
}

/** Where focus was each time the widget's markup changed: what a keyboard user is left on after every step. */
export interface FocusLog {
  /** One entry per change of state or of focus, oldest first; `focus: 'body'` means focus fell back to the page. */
  readonly entries: ReadonlyArray<{ state: string; focus: string }>;
  stop(): void;
}

/** Describes the focused element as a person would name it: "button Cancel", "body". */
export function describeFocus(element: Element | null = document.activeElement): string {
  if (!element || element === document.body) return 'body';
  const name = element.getAttribute('aria-label') ?? element.textContent?.trim() ?? '';
  return `${element.tagName.toLowerCase()}${name ? ` ${name}` : ''}`;
}

/**
 * Records `document.activeElement` after every change inside the widget. A MutationObserver runs
 * after React's commit and its layout effects, so each entry is where focus really is once the
 * widget has settled into a state, however briefly that state lasts.
 */
export function watchFocus(canvasElement: HTMLElement): FocusLog {
  const root = uploaderRoot(canvasElement);
  const entries: Array<{ state: string; focus: string }> = [];
  const record = () => {
    const entry = { state: root.dataset.state ?? '?', focus: describeFocus() };
    const last = entries.at(-1);
    if (!last || last.state !== entry.state || last.focus !== entry.focus) entries.push(entry);
  };
  const observer = new MutationObserver(record);
  observer.observe(root, { subtree: true, childList: true, attributes: true, characterData: true });
  record();
  return {
    entries,
    stop: () => observer.disconnect(),
  };
}

/**
 * Checks that focus is on the button named `name`, waiting (as expectState does) for the render that
 * moves it: the state shows before that render's effect has run, which a loaded machine can stretch.
 * A failure says where focus is instead ("body": the page).
 */
export async function expectFocusOn(name: string, timeout = 5000): Promise<void> {
  await waitFor(() => expect(describeFocus()).toBe(`button ${name}`), { timeout });
}
