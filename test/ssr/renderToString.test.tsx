// @vitest-environment node
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { version, type ReactNode } from 'react';
import { renderToString } from 'react-dom/server';
import { AttachmentUploader, ThumbnailUploader, UploaderProvider } from '../../src';

/** Server-renders `tree` and gives its HTML, failing on anything React reported while rendering. */
function renderOnServer(tree: ReactNode): string {
  const reports = vi.spyOn(console, 'error').mockImplementation(() => undefined);
  const html = renderToString(tree);
  // React 18 also warns here about a layout effect met on the server: there must be none.
  expect(reports.mock.calls.map((args) => args.map(String).join(' '))).toEqual([]);
  return html;
}

const widget = (
  <UploaderProvider baseUrl="https://api.example.test" token="t">
    <ThumbnailUploader parentUuid="media-1" />
  </UploaderProvider>
);

describe(`server rendering with React ${version}`, () => {
  it('renders the idle widget in Node, where there is no window or document', () => {
    expect(typeof window).toBe('undefined');
    expect(typeof document).toBe('undefined');
    const html = renderOnServer(widget);
    expect(html).toContain('data-state="idle"');
    expect(html).toMatch(/<button[^>]*>Choose image<\/button>/);
    expect(html).toContain('role="status"');
  });

  it("renders the same inside the host's QueryClientProvider, and runs nothing in its client", () => {
    const host = new QueryClient();
    const html = renderOnServer(<QueryClientProvider client={host}>{widget}</QueryClientProvider>);
    expect(html).toBe(renderOnServer(widget));
    expect(host.getMutationCache().getAll()).toEqual([]);
  });

  it('renders the same with a queryClient given to the provider', () => {
    const own = new QueryClient();
    const html = renderOnServer(
      <UploaderProvider baseUrl="https://api.example.test" token="t" queryClient={own}>
        <ThumbnailUploader parentUuid="media-1" />
      </UploaderProvider>,
    );
    expect(html).toBe(renderOnServer(widget));
    expect(own.getMutationCache().getAll()).toEqual([]);
  });

  it('renders the idle attachment widget too', () => {
    const html = renderOnServer(
      <UploaderProvider baseUrl="https://api.example.test" token="t">
        <AttachmentUploader />
      </UploaderProvider>,
    );
    expect(html).toContain('data-state="idle"');
    expect(html).toContain('role="status"');
  });
});
