// @vitest-environment node
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { version, type ReactNode } from 'react';
import { renderToString } from 'react-dom/server';
import { ThumbnailUploader, UploaderProvider } from '../../src';

/**
 * React 18 warns about every useLayoutEffect it meets on the server (the widget's run only in the
 * browser, as they should); React 19 dropped that warning as noise. Any other report fails the test.
 */
const REACT18_LAYOUT_EFFECT_WARNING = /useLayoutEffect does nothing on the server/;

/** Server-renders `tree` and gives its HTML, failing on anything React reported while rendering. */
function renderOnServer(tree: ReactNode): string {
  const reports = vi.spyOn(console, 'error').mockImplementation(() => undefined);
  const html = renderToString(tree);
  const messages = reports.mock.calls
    .map((args) => args.map(String).join(' '))
    .filter((message) => !(version.startsWith('18.') && REACT18_LAYOUT_EFFECT_WARNING.test(message)));
  expect(messages).toEqual([]);
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
});
