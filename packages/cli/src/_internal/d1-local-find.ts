import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CliUsageError } from '../cli-error';

/** Where `wrangler dev` (Miniflare) keeps local D1 databases inside a project. */
export const D1_LOCAL_STATE = join('.wrangler', 'state', 'v3', 'd1', 'miniflare-D1DatabaseObject');

/**
 * Finds the SQLite file of a project's local D1 database. Miniflare names each file
 * after a hash of the database id, so with several databases the user must pick one
 * by passing its file instead of the folder.
 */
export function findD1LocalFile(projectDir: string, role: string): string {
  const target = resolve(projectDir);
  if (existsSync(target) && statSync(target).isFile()) return target;
  const folder = join(target, D1_LOCAL_STATE);
  if (!existsSync(folder)) {
    throw new CliUsageError(
      `The ${role} d1-local:${projectDir} has no local D1 state: ${folder} does not exist. ` +
        'Run `wrangler dev` or `wrangler d1 execute <db> --local ...` in that project first, or pass the folder that holds wrangler.toml.',
    );
  }
  const files = readdirSync(folder).filter((f) => f.endsWith('.sqlite') && f !== 'metadata.sqlite');
  if (files.length === 1) return join(folder, files[0]!);
  if (files.length === 0) {
    throw new CliUsageError(
      `The ${role} d1-local:${projectDir} has no database file in ${folder}. Run \`wrangler dev\` once to create it.`,
    );
  }
  throw new CliUsageError(
    `The ${role} d1-local:${projectDir} holds ${files.length} local D1 databases. Pick one by its file:\n` +
      files.map((f) => `  d1-local:${join(folder, f)}`).join('\n'),
  );
}
