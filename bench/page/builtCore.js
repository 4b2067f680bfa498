// The package's `core` entry as an app installs it: bench/page.ts resolves this name through
// package.json's `exports` to dist/, so the figures are those of the built code, not of src/.
import * as core from 'react-thumbnail-uploader/core';

export { core };
