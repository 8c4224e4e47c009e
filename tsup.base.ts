import type { Options } from 'tsup';

/** The language level every build targets: what Node 20, the oldest supported, runs. */
export const BUILD_TARGET = 'es2022';

/**
 * The build every published package shares: ESM and CJS, each with its types and
 * sourcemaps, from `src/index.ts` unless other entry points are named. Only `src/`
 * is bundled, so tests and test helpers (beside the code or in `test/`) never ship.
 */
export function packageBuild(entry: string[] = ['src/index.ts'], extra: Options = {}): Options {
  return { entry, format: ['esm', 'cjs'], dts: true, sourcemap: true, clean: true, target: BUILD_TARGET, ...extra };
}
