/**
 * The Live stories' side of the local reference server (`npm run server`): is it up, and a media
 * to attach thumbnails to, uploaded the way the app would have done it before the widget shows.
 */
import { makeImageBlob } from './images';

export const LIVE_DEFAULT_URL = 'http://127.0.0.1:8787';
export const LIVE_DEFAULT_TOKEN = 'dev-token';

/** Under `npm test`: this project's reference server, set by test/support/liveStorySetup.ts; it must answer. */
const underTest = (globalThis as { __RTU_LIVE_SERVER__?: { url: string; required: boolean } }).__RTU_LIVE_SERVER__;

/** Whether the Live stories fail when the server is unreachable (under `npm test`), or say how to start it. */
export const liveRequired = underTest?.required ?? false;

/** `STORYBOOK_UPLOAD_URL` / `STORYBOOK_UPLOAD_TOKEN` (in the environment of `storybook dev|build`) win over the defaults. */
export const liveUrl: string = underTest?.url ?? (import.meta.env.STORYBOOK_UPLOAD_URL || LIVE_DEFAULT_URL);
export const liveToken: string = import.meta.env.STORYBOOK_UPLOAD_TOKEN || LIVE_DEFAULT_TOKEN;

export interface LiveMedia {
  file_url: string;
  file_uuid: string;
  name: string;
}

export type LiveSetup =
  | { status: 'ready'; media: LiveMedia }
  /** Nothing answers at the URL: the server is not running (or runs elsewhere). */
  | { status: 'offline'; reason: string }
  /** The server answered, but not with a media: wrong token, wrong server, … */
  | { status: 'failed'; reason: string };

/** Checks `/health`, then uploads a generated PNG as a media (no `qqparentuuid`); never throws. */
export async function prepareLiveMedia(baseUrl: string, token: string): Promise<LiveSetup> {
  const root = baseUrl.replace(/\/+$/, '');
  try {
    // A server on this machine answers at once; 10 s leaves room for a machine busy with a whole test run.
    const health = await fetch(`${root}/health`, { signal: AbortSignal.timeout(10_000), cache: 'no-store' });
    if (!health.ok) return { status: 'failed', reason: `GET ${root}/health answered ${health.status}.` };
  } catch (error) {
    return { status: 'offline', reason: error instanceof Error ? error.message : String(error) };
  }

  const name = 'story-media.png';
  const media = await makeImageBlob({ width: 640, height: 480, hue: 190 });
  const form = new FormData();
  form.append('qqfilename', name);
  form.append('qqfiletype', media.type);
  form.append('qqtotalfilesize', String(media.size));
  form.append('qqfile', media, name);
  try {
    const response = await fetch(`${root}/api/v2/pm/upload/`, {
      method: 'POST',
      headers: { Accept: 'application/json', Authorization: `Bearer ${token}` },
      body: form,
      signal: AbortSignal.timeout(10000),
    });
    const answer: unknown = await response.json().catch(() => undefined);
    const { file_url, file_uuid, error } = (answer ?? {}) as Record<string, unknown>;
    if (!response.ok) {
      return {
        status: 'failed',
        reason: `Uploading the media answered ${response.status}${typeof error === 'string' ? `: ${error}` : ''}`,
      };
    }
    if (typeof file_url !== 'string' || typeof file_uuid !== 'string') {
      return { status: 'failed', reason: 'Uploading the media did not answer {file_url, file_uuid}.' };
    }
    return { status: 'ready', media: { file_url, file_uuid, name } };
  } catch (error) {
    return {
      status: 'failed',
      reason: `Uploading the media failed: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}
