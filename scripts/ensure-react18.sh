#!/usr/bin/env bash
# The unit-react18 test project (vite.config.ts) runs the component tests against the React 18 that
# test/react18/fixture/ installs beside the repository's React 19: one `npm ci` there, only when its
# node_modules is missing or was installed from another package.json or package-lock.json.
set -euo pipefail
cd "$(dirname "$0")/../test/react18/fixture"

stamp=node_modules/.installed-from
wanted="$(cat package.json package-lock.json | sha256sum | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ]; then
  exit 0
fi

echo "Installing React 18 for the unit-react18 tests (test/react18/fixture)…"
npm ci --no-audit --no-fund --loglevel=error
echo "$wanted" >"$stamp"
