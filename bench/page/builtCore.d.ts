import type { uploadThumbnail } from '../../src/core/upload';

/**
 * The built `core` entry (dist/core.js). Only what the bench calls by name is typed; whatever else
 * it exports (`prepareImage` once it exists, `md5Hex` if it is ever exported) is looked up at run
 * time, so that the bench runs against any version of the package.
 */
export declare const core: { uploadThumbnail: typeof uploadThumbnail } & Readonly<Record<string, unknown>>;
