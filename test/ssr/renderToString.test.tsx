// @vitest-environment node
import { renderToString } from 'react-dom/server';
import { ThumbnailUploader, UploaderProvider } from '../../src';

describe('server rendering', () => {
  it('renders the idle widget in Node, where there is no window or document', () => {
    expect(typeof window).toBe('undefined');
    expect(typeof document).toBe('undefined');
    const html = renderToString(
      <UploaderProvider baseUrl="https://api.example.test" token="t">
        <ThumbnailUploader parentUuid="media-1" />
      </UploaderProvider>,
    );
    expect(html).toContain('data-state="idle"');
    expect(html).toMatch(/<button[^>]*>Choose image<\/button>/);
    expect(html).toContain('role="status"');
  });
});
