import { defineConfig } from 'tsup';

export default defineConfig({
  // Named entries: `mirror` is the `./mirror` subpath export.
  entry: { index: 'src/index.ts', mirror: 'src/mirror/index.ts' },
  format: ['esm', 'cjs'],
  // Shared code goes to one chunk in both formats, so the root and `./mirror` hand out
  // the same classes (an error thrown by one is `instanceof` the other's).
  splitting: true,
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
});
