// The package's React entry and stylesheet as an app installs them: bench/run.ts resolves these
// names through package.json's `exports` to dist/, so the widget measured is the built one.
import 'react-thumbnail-uploader/styles.css';
import * as widget from 'react-thumbnail-uploader';

export { widget };
