/**
 * Runs one copy in a child process so a test can kill it with SIGKILL mid-way.
 * Usage: node --import tsx --conditions=@switchyard/source copy-child.ts <source.db | postgres:url> <sqlite:path | postgres:url> <batchSize>
 * Prints "progress <rows>" after every batch. With COPY_CHILD_WORKER=default the copy
 * uses its default worker id (host:pid:…) instead of "child".
 */
import { createPostgresAdapter } from '@switchyard/postgres';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { copyTables } from '../src/index';

const [sourcePath, targetSpec, batchSize] = process.argv.slice(2) as [string, string, string];
const open = (spec: string) =>
  spec.startsWith('postgres:') ? createPostgresAdapter(spec.slice('postgres:'.length)) : createSQLiteAdapter(spec.replace(/^sqlite:/, ''));
const source = open(sourcePath);
const target = open(targetSpec);
await copyTables(source, target, {
  batchSize: Number(batchSize),
  ...(process.env.COPY_CHILD_WORKER === 'default' ? {} : { workerId: 'child' }),
  onNotice: (n) => process.stdout.write(`notice ${n.kind} ${n.message}\n`),
  onProgress: (p) => process.stdout.write(`progress ${p.rowsCopiedAllRuns}\n`),
});
process.stdout.write('finished\n');
await source.close();
await target.close();
