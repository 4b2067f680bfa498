import { render, screen } from '@testing-library/react';
import { useState, version } from 'react';
import { version as domVersion } from 'react-dom';
import { renderToString } from 'react-dom/server';
import { inject } from 'vitest';
import { ThumbnailUploader, UploaderProvider } from '../../src';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The React major that a project's tests run against (vite.config.ts): '19' in unit, '18' in unit-react18. */
    reactMajor: string;
  }
}

const major = inject('reactMajor');

/** Shows the version of the `react` its hook comes from: it renders only where the renderer shares that React. */
function RenderedVersion() {
  const [shown] = useState(version);
  return <output>{shown}</output>;
}

describe(`the project runs React ${major}`, () => {
  it('in react, react-dom, react-dom/server, the JSX runtime and Testing Library alike', () => {
    expect(version.split('.')[0]).toBe(major);
    expect(domVersion).toBe(version);
    render(<RenderedVersion />);
    expect(screen.getByRole('status')).toHaveTextContent(version);
    expect(renderToString(<RenderedVersion />)).toContain(version);
  });

  it('in react-query and react-dropzone too: the widget renders through both', () => {
    render(
      <UploaderProvider baseUrl="https://api.example.test" token="t">
        <ThumbnailUploader parentUuid="media-1" />
      </UploaderProvider>,
    );
    expect(screen.getByRole('button', { name: 'Choose image' })).toBeEnabled();
  });
});
