import { fileURLToPath } from 'node:url';
import { build } from 'tsup';

/** Where the test build of the `switchyard` binary goes (git-ignored). */
export const BINARY = fileURLToPath(new URL('../.switchyard-tmp/bin.js', import.meta.url));

/**
 * Builds `src/bin.ts` once per test run, the way tsup builds the published binary, but
 * with the workspace packages bundled from their sources (the `@switchyard/source`
 * condition), so the tests run a real built executable without building every
 * package first (about a second, against a minute for every package with types).
 */
export default async function setup(): Promise<void> {
  const started = Date.now();
  await build({
    entry: { bin: fileURLToPath(new URL('../src/bin.ts', import.meta.url)) },
    outDir: fileURLToPath(new URL('../.switchyard-tmp', import.meta.url)),
    format: ['esm'],
    target: 'es2022',
    platform: 'node',
    clean: true,
    silent: true,
    config: false,
    // Workspace packages are bundled from source; everything else stays a plain
    // import, resolved from packages/cli/node_modules as a user's install would.
    noExternal: [/^@switchyard\//],
    external: [/^(?!@switchyard\/)[^./]/],
    esbuildOptions(options) {
      options.conditions = ['@switchyard/source'];
    },
  });
  process.env.SWITCHYARD_CLI_BUILD_MS = String(Date.now() - started);
}
