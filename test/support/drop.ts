import { fireEvent } from '@testing-library/react';

/** What a browser's DataTransfer holds when files are dragged or pasted. */
export const transferOf = (files: File[]) => ({
  files,
  types: ['Files'],
  items: files.map((file) => ({ kind: 'file', type: file.type, getAsFile: () => file })),
});

/** Drops files on an element, as a person dragging them from the desktop does. */
export function dropFiles(target: Element, files: File[]): void {
  fireEvent.drop(target, { dataTransfer: transferOf(files) });
}
