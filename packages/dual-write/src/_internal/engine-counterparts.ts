import { selectInto, statementKind, withoutLeadingComments, type Statement } from '@switchyard/core';
import type { SideStatement } from './replication-types';

/**
 * Why a SQLite or D1 secondary runs nothing for a Postgres statement: it holds nothing the
 * statement acts on. A materialized view is a plain view there (as `translateSchema` makes
 * it), always fresh; SQLite has no comments, privileges, owners, extensions or row security.
 * Replayed as written, such a statement failed there after the primary ran it, and every
 * later write waited behind it in the journal.
 */
export const NOTHING_ON_SQLITE =
  'a Postgres statement with nothing to act on in SQLite or D1 (a materialized view refresh, a comment, a privilege, an owner, an extension, a row security policy)';

const NO_COUNTERPART =
  /^(?:REFRESH\s+MATERIALIZED\s+VIEW|COMMENT\s+ON|GRANT|REVOKE|SECURITY\s+LABEL|(?:CREATE|ALTER|DROP)\s+(?:EXTENSION|POLICY)|ALTER\s+DEFAULT\s+PRIVILEGES)\b/i;

/** An `ALTER` whose one action is an owner or row security, with no other clause (no comma). */
const OWNER_OR_ROW_SECURITY =
  /^ALTER\s+(?:TABLE|VIEW|MATERIALIZED\s+VIEW|SEQUENCE|FUNCTION|TYPE|DOMAIN|SCHEMA)\s[^;,]*?\s(?:OWNER\s+TO\s+\S+|(?:ENABLE|DISABLE|(?:NO\s+)?FORCE)\s+ROW\s+LEVEL\s+SECURITY)\s*;?\s*$/i;

/**
 * A Postgres statement in the form a SQLite or D1 side gives it: unchanged, a definition
 * SQLite words differently (see {@link sqliteDefinitionForm}; a `SELECT … INTO` as `CREATE
 * TABLE … AS`), or marked {@link NOTHING_ON_SQLITE}. A marked statement keeps its text, so a
 * SQLite primary that is sent one still answers as SQLite does.
 *
 * @example
 * ```ts
 * sqliteCounterpart({ sql: 'REFRESH MATERIALIZED VIEW totals' }).idle; // NOTHING_ON_SQLITE
 * sqliteCounterpart({ sql: 'CREATE INDEX CONCURRENTLY i ON t (a)' }).sql; // 'CREATE INDEX i ON t (a)'
 * sqliteCounterpart({ sql: 'SELECT a INTO b FROM t' }).sql; // 'CREATE TABLE b AS SELECT a FROM t'
 * ```
 */
export function sqliteCounterpart(statement: Statement): SideStatement {
  const body = withoutLeadingComments(statement.sql);
  if (/^(?:SELECT|WITH)\b/i.test(body) && statementKind(body) === 'schema') return creatingForm(statement, body);
  if (!DEFINING_WORD.test(body)) return statement;
  if (NO_COUNTERPART.test(body) || OWNER_OR_ROW_SECURITY.test(body)) return { ...statement, idle: NOTHING_ON_SQLITE };
  const own = sqliteDefinitionForm(body);
  return own === body ? statement : { ...statement, sql: own };
}

/** The first words of the statements {@link sqliteCounterpart} may change (a cheap test: every write passes it). */
const DEFINING_WORD = /^(?:REFRESH|COMMENT|GRANT|REVOKE|SECURITY|CREATE|ALTER|DROP)\b/i;

/**
 * Postgres's `SELECT … INTO t FROM …` (a write only when it has that `INTO`) as SQLite's
 * `CREATE TABLE t AS SELECT … FROM …`; `body` is the statement without its leading comments.
 */
function creatingForm(statement: Statement, body: string): Statement {
  const into = /\bINTO\b/i.test(body) ? selectInto(body) : undefined;
  if (!into) return statement;
  return { ...statement, sql: `CREATE TABLE ${into.table} AS ${body.slice(0, into.start)}${body.slice(into.end).trimStart()}` };
}

/**
 * An integer identity column, with its sequence options: SQLite's `INTEGER` (as
 * `translateSchema` gives it), the rowid itself when it is the key, which SQLite fills
 * after a switch; the secondary takes the primary's values meanwhile.
 */
const IDENTITY =
  /\b(?:SMALLINT|INTEGER|BIGINT|INT[248]?)\s+GENERATED\s+(?:ALWAYS|BY\s+DEFAULT)\s+AS\s+IDENTITY(?:\s*\((?:[^()]|\([^()]*\))*\))?/gi;

/**
 * A Postgres definition in SQLite's words, where only the words differ: an index built
 * `CONCURRENTLY` (a Postgres lock mode; SQLite builds every index in its own write
 * transaction) or `USING btree` (SQLite's only kind), an integer identity column as
 * `INTEGER` (see {@link IDENTITY}), a materialized view as a view.
 *
 * @example
 * ```ts
 * sqliteDefinitionForm('CREATE MATERIALIZED VIEW totals AS SELECT count(*) AS n FROM t WITH NO DATA');
 * // 'CREATE VIEW totals AS SELECT count(*) AS n FROM t'
 * ```
 */
export function sqliteDefinitionForm(sql: string): string {
  const index = /^(CREATE\s+(?:UNIQUE\s+)?INDEX|DROP\s+INDEX)\s+CONCURRENTLY\b/i.exec(sql);
  let out = index ? `${index[1]}${sql.slice(index[0].length)}` : sql;
  if (/^CREATE\s+(?:UNIQUE\s+)?INDEX\b/i.test(out)) out = out.replace(/(\bON\s+(?:ONLY\s+)?[^\s(]+)\s+USING\s+btree\s*\(/i, '$1 (');
  if (/^(?:CREATE|ALTER)\s+TABLE\b/i.test(out)) out = out.replace(IDENTITY, 'INTEGER');
  const view = /^(CREATE|DROP)\s+MATERIALIZED\s+VIEW\b/i.exec(out);
  if (view) {
    out = `${view[1]} VIEW${out.slice(view[0].length)}`;
    if (view[1]!.toUpperCase() === 'CREATE') out = out.replace(/\s+WITH\s+(?:NO\s+)?DATA\s*;?\s*$/i, '');
  }
  return out;
}
