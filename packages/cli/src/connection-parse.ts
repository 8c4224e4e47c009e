import { CliUsageError } from './cli-error';
import { redactUrl } from './url-redact';

/** A database named on the command line, before it is opened. */
export type ConnectionSpec =
  | { kind: 'sqlite'; path: string }
  | { kind: 'postgres'; url: string }
  | { kind: 'd1'; accountId: string; databaseId: string }
  | { kind: 'd1-local'; projectDir: string };

/** The forms the CLI accepts, for help and error texts. */
export const CONNECTION_FORMS = [
  'sqlite:./app.db (or a bare path ending in .db, .sqlite or .sqlite3)',
  'postgres://user@host:5432/db (or postgresql://; the password in the URL or PGPASSWORD)',
  'd1://<account-id>/<database-id> (token from CLOUDFLARE_API_TOKEN)',
  'd1-local:<wrangler-project-dir> (the local D1 of `wrangler dev`)',
];

/**
 * Reads a connection string. `role` (e.g. `'<source>'`) goes into error messages so the
 * user knows which argument to fix.
 *
 * @example
 * ```ts
 * parseConnectionString('sqlite:./app.db');          // { kind: 'sqlite', path: './app.db' }
 * parseConnectionString('d1://0123abcd/9f8e-...');   // { kind: 'd1', accountId: '0123abcd', databaseId: '9f8e-...' }
 * ```
 */
export function parseConnectionString(value: string, role = 'connection string'): ConnectionSpec {
  const text = value.trim();
  if (text === '') throw new CliUsageError(`The ${role} is empty. Use one of:\n  ${CONNECTION_FORMS.join('\n  ')}`);

  if (/^postgres(ql)?:\/\//i.test(text)) {
    try {
      new URL(text);
    } catch {
      throw new CliUsageError(
        `The ${role} ${redactUrl(text)} is not a valid URL. Percent-encode special characters in the password (e.g. @ as %40).`,
      );
    }
    return { kind: 'postgres', url: text };
  }
  if (/^sqlite:/i.test(text)) {
    const path = text.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (path === '') throw new CliUsageError(`The ${role} "${text}" names no file. Write it as sqlite:./app.db.`);
    return { kind: 'sqlite', path };
  }
  if (/^d1:\/\//i.test(text)) {
    const [accountId, databaseId, ...rest] = text.slice('d1://'.length).split('/').filter(Boolean);
    if (!accountId || !databaseId || rest.length > 0) {
      throw new CliUsageError(
        `The ${role} "${text}" should be d1://<account-id>/<database-id> (the ids from \`wrangler d1 list\` and your dashboard URL).`,
      );
    }
    return { kind: 'd1', accountId, databaseId };
  }
  if (/^d1-local:/i.test(text)) {
    const projectDir = text.slice('d1-local:'.length);
    if (projectDir === '')
      throw new CliUsageError(
        `The ${role} "${text}" names no folder. Write it as d1-local:./my-worker (the folder holding wrangler.toml).`,
      );
    return { kind: 'd1-local', projectDir };
  }
  if (/\.(db|sqlite|sqlite3)$/i.test(text) && !/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return { kind: 'sqlite', path: text };

  throw new CliUsageError(
    `Cannot tell which database the ${role} "${redactUrl(text)}" is. Use one of:\n  ${CONNECTION_FORMS.join('\n  ')}`,
  );
}

/** The connection string as it may be printed: passwords hidden. */
export function describeConnection(spec: ConnectionSpec): string {
  switch (spec.kind) {
    case 'sqlite':
      return `sqlite:${spec.path}`;
    case 'postgres':
      return redactUrl(spec.url);
    case 'd1':
      return `d1://${spec.accountId}/${spec.databaseId}`;
    case 'd1-local':
      return `d1-local:${spec.projectDir}`;
  }
}
