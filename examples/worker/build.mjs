// Bundles the Worker for Miniflare (the tests) the way wrangler does: ESM, workerd
// conditions, Node built-ins from nodejs_compat. `wrangler deploy` bundles on its own.
import { build } from 'esbuild';
import { builtinModules } from 'node:module';

const builtins = new Set(builtinModules);

/**
 * pg is CommonJS and calls require('events'), require('net')...; in an ESM bundle those
 * must become imports of the `node:` modules nodejs_compat provides.
 */
const nodeBuiltins = {
  name: 'node-builtins',
  setup(b) {
    b.onResolve({ filter: /^(node:)?[a-z_/]+$/ }, (args) => {
      const name = args.path.replace(/^node:/, '');
      if (!builtins.has(name)) return undefined;
      if (args.kind === 'require-call') return { path: name, namespace: 'node-builtin' };
      return { path: `node:${name}`, external: true };
    });
    b.onLoad({ filter: /.*/, namespace: 'node-builtin' }, (args) => ({
      contents: `import m from 'node:${args.path}'; module.exports = m;`,
      loader: 'js',
    }));
  },
};

export async function bundleWorker(outfile = 'dist/worker.js') {
  await build({
    entryPoints: [new URL('./src/worker.ts', import.meta.url).pathname],
    outfile: new URL(outfile, import.meta.url).pathname,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    mainFields: ['module', 'main'],
    conditions: ['@switchyard/source', 'workerd', 'worker'],
    external: ['cloudflare:*'],
    plugins: [nodeBuiltins],
    logLevel: 'warning',
  });
}

if (import.meta.url === `file://${process.argv[1]}`) await bundleWorker();
