// Generates the Prisma client into generated/ (ignored by git).
//
// `prisma generate` starts by downloading Prisma's schema-engine binary from Prisma's own
// server, although generating a client never runs it. Where only the npm registry is
// reachable that download fails, so PRISMA_SCHEMA_ENGINE_BINARY names an existing file
// (this Node binary) to skip it; with the binary already there, nothing changes.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = createRequire(join(root, 'package.json')).resolve('prisma/build/index.js');
execFileSync(process.execPath, [cli, 'generate'], {
  cwd: root,
  stdio: 'inherit',
  env: {
    ...process.env,
    PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath,
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
  },
});
