#!/usr/bin/env bash
# Type-checks a small app that uses the public API against the built declarations (dist/), as a
# TypeScript user has them: `moduleResolution: nodenext`, `skipLibCheck: false`, and the React types
# of either peer major, 19 (the repository's) and 18 (test/react18/fixture). attw checks that the
# declarations resolve; this checks that they compile against both React majors' types.
# Usage: check-consumer-types.sh [major...] (default: 19 18).
set -euo pipefail
if [ $# -gt 0 ]; then majors=("$@"); else majors=(19 18); fi
root="$(cd "$(dirname "$0")/.." && pwd)"
react18="$root/test/react18/fixture/node_modules"

if [ ! -f "$root/dist/index.d.ts" ]; then
  echo "check-consumer-types checks the built declarations: run \`npm run build\` first." >&2
  exit 1
fi
bash "$root/scripts/ensure-react18.sh"

app="$(mktemp -d "${TMPDIR:-/tmp}/rtu-consumer-types-XXXXXX")"
trap 'rm -rf "$app"' EXIT
mkdir "$app/node_modules"
# Installed as a link, resolved by name through package.json's `exports`.
ln -s "$root" "$app/node_modules/react-thumbnail-uploader"

cat >"$app/app.tsx" <<'APP'
import { useEffect, type ReactNode } from 'react';
import {
  ThumbnailUploader,
  UploaderProvider,
  isUploadError,
  useThumbnailUpload,
  useThumbnailUploader,
  type ThumbnailResult,
  type UploadError,
} from 'react-thumbnail-uploader';
import { UploadError as CoreUploadError, uploadThumbnail, type UploadErrorKind } from 'react-thumbnail-uploader/core';
import { mockUploadApi, type ReceivedRequest } from 'react-thumbnail-uploader/testing';

// Each entry's declarations are self-contained: an UploadError from one is one from the other.
export const fromCore = (error: CoreUploadError): UploadError => error;
export const toCore = (error: UploadError): CoreUploadError => error;

export function Widget({ media, save }: { media: string; save: (url: string) => void }): ReactNode {
  return (
    <UploaderProvider baseUrl="https://community.example" getToken={() => 'token'}>
      <ThumbnailUploader
        parentUuid={media}
        onUploaded={(result: ThumbnailResult) => save(result.file_url)}
        onError={(error: UploadError) => console.warn(error.kind, error.retryable)}
      />
    </UploaderProvider>
  );
}

export function Headless({ media }: { media: string }): ReactNode {
  const uploader = useThumbnailUploader({ parentUuid: media });
  const mutation = useThumbnailUpload();
  useEffect(() => {
    if (mutation.error) console.warn(mutation.error.kind);
  }, [mutation.error]);
  return (
    <div {...uploader.getRootProps()}>
      <input {...uploader.getInputProps()} />
    </div>
  );
}

// An app's test: msw's types come from the app's own msw, the optional peer.
export const api = mockUploadApi({ baseUrl: 'https://community.example', fieldPrefix: '' });
export const outage = api.fail({ call: 'thumbnail', status: 503, html: true, times: Infinity });
export const thumbnails = (requests: ReceivedRequest[]) => requests.filter((request) => request.call === 'thumbnail');

export async function upload(file: File, signal: AbortSignal): Promise<string | UploadErrorKind> {
  try {
    return (await uploadThumbnail({ baseUrl: '', token: 't', file, parentUuid: 'p', signal })).file_url;
  } catch (error) {
    if (isUploadError(error)) return error.kind;
    throw error;
  }
}
APP

# `paths` sends every `react` import, the package's own and its dependencies', to one major's types.
tsconfig() {
  local types="$1"
  cat <<JSON
{
  "compilerOptions": {
    "module": "nodenext",
    "moduleResolution": "nodenext",
    "target": "es2022",
    "lib": ["es2022", "dom", "dom.iterable"],
    "jsx": "react-jsx",
    "strict": true,
    "skipLibCheck": false,
    "noEmit": true,
    "types": [],
    "paths": {
      "react": ["$types/react/index.d.ts"],
      "react/*": ["$types/react/*.d.ts"],
      "react-dom": ["$types/react-dom/index.d.ts"],
      "react-dom/*": ["$types/react-dom/*.d.ts"]
    }
  },
  "files": ["app.tsx"]
}
JSON
}
tsconfig "$root/node_modules/@types" >"$app/tsconfig.react19.json"
tsconfig "$react18/@types" >"$app/tsconfig.react18.json"

status=0
for major in "${majors[@]}"; do
  if node "$root/node_modules/typescript/bin/tsc" -p "$app/tsconfig.react$major.json"; then
    echo "The declarations compile in an app with React $major's types."
  else
    echo "The declarations do not compile in an app with React $major's types (above)." >&2
    status=1
  fi
done
exit "$status"
