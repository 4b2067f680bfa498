import type { BuildOptions, Metafile } from 'esbuild';

export declare const SHARED_PEERS: string[];
export declare function bundleOptions(spec: {
  entryFile: string;
  outdir: string;
  absWorkingDir: string;
  nodeModules: string;
  external?: string[];
}): BuildOptions & { metafile: true; entryPoints: string[] };
export declare function eagerAndLazy(metafile: Pick<Metafile, 'outputs'>): { eager: string[]; lazy: string[] };
export declare function gzipSize(bytes: Uint8Array | string): number;
