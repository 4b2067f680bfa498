import type * as sourceCore from '../../src/core';

/**
 * The built `core` entry (dist/core.js), typed from src/ so that the bench type-checks before a
 * build; at run time it is dist's code that is measured.
 */
export declare const core: typeof sourceCore;
