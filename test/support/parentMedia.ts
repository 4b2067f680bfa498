import { makePng } from '../fixtures';

/**
 * Uploads a small media the way an app does before its thumbnail (with Node's fetch), and gives its
 * `file_uuid`; refuses loudly when the server does not store it.
 */
export async function createParentMedia(apiUrl: string, token: string): Promise<string> {
  const body = new FormData();
  body.append('qqfile', new Blob([makePng(8, 6)], { type: 'image/png' }), 'media.png');
  const answer = await fetch(`${apiUrl}/api/v2/pm/upload/`, {
    method: 'POST',
    body,
    headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' },
  });
  if (answer.status !== 200)
    throw new Error(`Creating the parent media failed: HTTP ${answer.status} ${await answer.text()}`);
  return String(((await answer.json()) as { file_uuid: string }).file_uuid);
}
