import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.base';

export default defineConfig(
  packageBuild(undefined, {
    // Named entries: `mirror` is the `./mirror` subpath export.
    entry: { index: 'src/index.ts', mirror: 'src/mirror/index.ts' },
    // Shared code goes to one chunk in both formats, so the root and `./mirror` hand out
    // the same classes (an error thrown by one is `instanceof` the other's).
    splitting: true,
  }),
);
