import type { LiveSetup } from './liveServer';

export const codeStyle = {
  fontFamily: 'ui-monospace, SFMono-Regular, Menlo, monospace',
  fontSize: '0.875em',
  overflowWrap: 'anywhere',
} as const;

/** What a Live story shows instead of the widget when the reference server is not there (or refused the setup). */
export function LiveServerNotice({
  baseUrl,
  setup,
}: {
  baseUrl: string;
  setup: Exclude<LiveSetup, { status: 'ready' }>;
}) {
  return (
    <div
      role="alert"
      style={{
        padding: '0.75rem 1rem',
        borderRadius: 8,
        background: '#fff4e5',
        color: '#5c3400',
        border: '1px solid #b76e00',
      }}
    >
      {setup.status === 'offline' ? (
        <>
          <strong>The reference upload server is not running</strong> at <code style={codeStyle}>{baseUrl}</code>. Run{' '}
          <code style={codeStyle}>npm start</code> (Storybook and the server together) or{' '}
          <code style={codeStyle}>npm run server</code> in another terminal, then reload this story. To use another
          server, set <code style={codeStyle}>STORYBOOK_UPLOAD_URL</code> and{' '}
          <code style={codeStyle}>STORYBOOK_UPLOAD_TOKEN</code> before starting Storybook, or change this story’s args.
        </>
      ) : (
        <>
          <strong>The server at </strong>
          <code style={codeStyle}>{baseUrl}</code>
          <strong> answered, but the media could not be uploaded.</strong> Check that the token matches the server’s{' '}
          <code style={codeStyle}>UPLOAD_TOKEN</code>.
        </>
      )}
      <br />
      <small>Details: {setup.reason}</small>
    </div>
  );
}
