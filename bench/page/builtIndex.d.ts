import type * as sourceIndex from '../../src/index';

/**
 * The built React entry (dist/index.js), typed from src/ so that the bench type-checks before a
 * build; at run time it is dist's code that is measured.
 */
export declare const widget: typeof sourceIndex;
