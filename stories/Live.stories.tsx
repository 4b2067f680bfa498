import type { Meta, StoryObj } from '@storybook/react-vite';
import { useState } from 'react';
import { expect, waitFor, within } from 'storybook/test';
import { ThumbnailUploader, UploaderProvider, type ThumbnailResult } from '../src';
import { makeImageFile } from './support/images';
import {
  liveRequired,
  liveToken,
  liveUrl,
  prepareLiveMedia,
  type LiveMedia,
  type LiveSetup,
} from './support/liveServer';
import { LiveServerNotice, codeStyle } from './support/LiveServerNotice';
import { chooseFile, expectState } from './support/play';

interface LiveArgs {
  /** Where the reference server listens (`npm run server`; `STORYBOOK_UPLOAD_URL` overrides). */
  baseUrl: string;
  /** The token the server expects (`UPLOAD_TOKEN` on its side; `STORYBOOK_UPLOAD_TOKEN` here). */
  token: string;
  /** The token the widget sends, when it should differ from the one that uploaded the media. */
  widgetToken?: string;
}

/**
 * Against the real local reference server, no mocks: the loader uploads a generated media the way
 * an app would, then the widget uploads a thumbnail for it. Start the server with `npm start`
 * (Storybook and the server) or `npm run server`. Without it, the story says so instead of failing.
 */
const meta = {
  title: 'ThumbnailUploader/Live',
  args: { baseUrl: liveUrl, token: liveToken },
  parameters: {
    // The story renders its own provider, with the live URL and token.
    uploader: false,
    // No handlers: MSW passes every request through to the real server.
    msw: { handlers: {} },
  },
  loaders: [async ({ args }) => ({ setup: await prepareLiveMedia(args.baseUrl, args.token) })],
  render: (args, { loaded }) => <LiveDemo {...args} setup={loaded.setup as LiveSetup} />,
} satisfies Meta<LiveArgs>;

export default meta;
type Story = StoryObj<typeof meta>;

function LiveDemo({ baseUrl, token, widgetToken, setup }: LiveArgs & { setup: LiveSetup }) {
  const [result, setResult] = useState<ThumbnailResult | null>(null);
  const sentToken = widgetToken ?? token;
  return (
    <section aria-labelledby="live-title" style={{ maxWidth: '40rem', display: 'grid', gap: '1rem', lineHeight: 1.5 }}>
      <div>
        <h1 id="live-title" style={{ fontSize: '1.25rem', margin: 0 }}>
          Live: the local reference API
        </h1>
        <p style={{ margin: '0.5rem 0 0' }}>
          No mocks. This story talks to <code style={codeStyle}>{baseUrl}</code>. Before the widget appeared, it
          uploaded a generated image as a <strong>media</strong> (a POST without{' '}
          <code style={codeStyle}>qqparentuuid</code>, token <code style={codeStyle}>{token}</code>). The widget below
          uploads the image you choose as that media’s <strong>thumbnail</strong>, with{' '}
          <code style={codeStyle}>qqparentuuid</code> set to its <code style={codeStyle}>file_uuid</code>
          {widgetToken ? (
            <>
              {' '}
              and the token <code style={codeStyle}>{sentToken}</code>, which the server does not know
            </>
          ) : null}
          .
        </p>
      </div>

      {setup.status === 'ready' ? (
        <>
          <p style={{ margin: 0 }}>
            Media <code style={codeStyle}>{setup.media.name}</code> stored as{' '}
            <code style={codeStyle}>{setup.media.file_uuid}</code>.
          </p>
          <UploaderProvider baseUrl={baseUrl} token={sentToken}>
            <ThumbnailUploader parentUuid={setup.media.file_uuid} onUploaded={setResult} />
          </UploaderProvider>
        </>
      ) : (
        <LiveServerNotice baseUrl={baseUrl} setup={setup} />
      )}

      {result ? (
        <dl
          style={{ margin: 0, display: 'grid', gridTemplateColumns: 'max-content 1fr', gap: '0.25rem 1rem' }}
          aria-label="Server answer"
        >
          <dt>file_url</dt>
          <dd style={{ margin: 0, ...codeStyle }}>
            <a href={result.file_url} style={{ color: '#1a4fc4' }}>
              {result.file_url}
            </a>
          </dd>
          <dt>file_uuid</dt>
          <dd style={{ margin: 0, ...codeStyle }}>{result.file_uuid}</dd>
          <dt>parent_file_uuid</dt>
          <dd style={{ margin: 0, ...codeStyle }}>{result.parent_file_uuid}</dd>
        </dl>
      ) : null}
    </section>
  );
}

/**
 * Reports what the loader found, then chooses a thumbnail like a person: gives the media it is for,
 * or `undefined` when no server runs (the story then only checks that it says how to start one).
 */
async function chooseLiveThumbnail(
  canvasElement: HTMLElement,
  loaded: Record<string, unknown>,
): Promise<LiveMedia | undefined> {
  const setup = loaded.setup as LiveSetup;
  if (setup.status === 'failed')
    throw new Error(`The live server answered but could not prepare a media: ${setup.reason}`);
  if (setup.status === 'offline') {
    // Under `npm test` the reference server is started for these stories: offline is then a failure.
    if (liveRequired) throw new Error(`The reference server is not reachable at ${liveUrl}: ${setup.reason}`);
    await expect(await within(canvasElement).findByRole('alert')).toHaveTextContent('npm start');
    return undefined;
  }
  await chooseFile(canvasElement, await makeImageFile('live-thumbnail.png', { hue: 230 }));
  return setup.media;
}

/** Choose an image: it becomes the thumbnail of the media the loader uploaded, stored by the real server. */
export const ThumbnailOfANewMedia: Story = {
  play: async ({ canvasElement, loaded }) => {
    const canvas = within(canvasElement);
    const media = await chooseLiveThumbnail(canvasElement, loaded);
    if (!media) return;
    const image = await canvas.findByRole(
      'img',
      { name: 'Uploaded thumbnail of live-thumbnail.png' },
      { timeout: 15000 },
    );
    await expectState(canvasElement, 'uploaded');
    await waitFor(() => expect((image as HTMLImageElement).naturalWidth).toBe(640), { timeout: 5000 });
    await expect(canvas.getByLabelText('Server answer')).toHaveTextContent(media.file_uuid);
  },
};

/** The media is uploaded with the right token, the thumbnail with a wrong one: the real server answers 401. */
export const ExpiredToken: Story = {
  args: { widgetToken: 'expired-token' },
  play: async ({ canvasElement, loaded }) => {
    const canvas = within(canvasElement);
    if (!(await chooseLiveThumbnail(canvasElement, loaded))) return;
    await expect(await canvas.findByRole('alert', {}, { timeout: 15000 })).toHaveTextContent(
      'Your session has expired',
    );
    await expectState(canvasElement, 'error');
  },
};
