import { defineConfig } from 'tsup';
import { BUILD_TARGET, packageBuild } from '../../tsup.base';

export default defineConfig([
  packageBuild(),
  // The executable: ESM only (it uses top-level await), with the shebang kept.
  { entry: ['src/bin.ts'], format: ['esm'], sourcemap: true, target: BUILD_TARGET },
]);
