#!/usr/bin/env bash
# Lints the package as npm would publish it, from the dist/ that `npm run build` made: publint for
# package.json (exports, files, types), then attw for what TypeScript users resolve, each on an
# `npm pack` of this folder (offline).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -f dist/index.js ] || [ ! -f dist/index.d.ts ] || [ ! -f dist/core.d.ts ] || [ ! -f dist/testing.d.ts ]; then
  echo "check:package lints the built package: run \`npm run build\` first." >&2
  exit 1
fi

npx --no-install publint --strict

# --profile esm-only: the package is ESM only ("type": "module", no require condition, no CJS build),
# so attw's node10 resolution (which ignores `exports`, and which TypeScript 6 deprecates) and
# node16-from-CommonJS resolution (require() of ESM) are not promised; node16/nodenext from ESM and
# bundler resolution are checked, and must be clean.
# --exclude-entrypoints styles.css: a stylesheet has no types by nature; bundlers load it, and the
# pack test checks that it ships.
npx --no-install attw --pack . --profile esm-only --exclude-entrypoints styles.css

# The declarations compile in a nodenext app with skipLibCheck off, with React 19's and React 18's types.
bash scripts/check-consumer-types.sh
