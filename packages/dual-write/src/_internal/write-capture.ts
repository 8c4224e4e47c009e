import {
  jsonTextItems,
  markJsonTexts,
  type DialectName,
  type ExecResult,
  type Row,
  type Statement,
  type TableInfo,
} from '@switchyard/core';
import { insertsDefaultKeys, insertsNullKeys, rowRefsOf, type RowRef } from '../row-ref';
import { tokenize, type Token } from './sql-tokens';
import { BoundedCache } from './bounded-cache';
import { asInsertId, insertIdColumn } from './insert-id';
import { capturingSql, splitAliased, writtenName } from './captured-aliases';
import { parseWriteCached, type ParsedWrite } from './write-parse';
import { otherUniqueIndexes, sameColumnSet } from './unique-blockers';

/**
 * How a write runs on the primary so that it also returns every row it left: the app's
 * statement with a `RETURNING` clause that yields whole rows (appended to the app's own
 * clause under private aliases), and how to split the result back.
 */
export interface CapturePlan {
  parsed: ParsedWrite;
  /** The primary's table. */
  table: TableInfo;
  /** The statement as the app wrote it. */
  source: Statement;
  /** The statement as it runs on the primary, capture clause included. */
  statement: Statement;
  /** Column names behind the aliases `__sy_0`, `__sy_1`, … when the app's own RETURNING is kept. */
  aliases?: string[];
  /**
   * The rows the statement names by full primary key, locked before it runs; `undefined`
   * when it may touch rows it does not name (the table is locked instead).
   */
  named?: RowRef[];
  /**
   * A REPLACE that may also delete rows it does not name (another unique constraint): the
   * rows it writes, by the keys it names. Not locks, as `named` is; a D1 outbox finds its rows by them.
   */
  replacing?: RowRef[];
  /** Only inserts new rows with generated keys: it cannot touch a row another write holds. */
  newRowsOnly: boolean;
  /** The app has sent this text often enough that the primary may keep it prepared. */
  repeated: boolean;
  /** Its rows carry the text of bare JSON documents (see core's `jsonTextItems`). */
  jsonTexts?: true;
}

/** What a capture plan keeps from one SQL text on one table: all but its parameters. */
interface CaptureTemplate {
  parsed: ParsedWrite;
  sql: string;
  aliases?: string[];
  touchesOnlyNamed: boolean;
  newRowsOnly: boolean;
  tokens: readonly Token[];
  uses: number;
  jsonTexts: boolean;
}

/** Uses of a text after which it counts as repeated: a one-off text never takes a prepared slot. */
const REPEATED_AFTER = 3;

/**
 * Apps send the same few statement texts again and again: their capture SQL is kept per
 * text (a bounded number of texts), and per table definition, so a changed table (a new
 * `TableInfo` after a schema change) never reuses an old plan.
 */
const templates = new WeakMap<TableInfo, Partial<Record<DialectName, BoundedCache<string, CaptureTemplate | string>>>>();

/**
 * The capture plan for a write on a table the primary has with a primary key, or a
 * reason it must be replicated by statement instead. `withNamed: false` leaves out the
 * rows it names, for a caller that takes no row locks.
 */
export function planCapture(
  statement: Statement,
  table: TableInfo | undefined,
  dialect: DialectName,
  parsed = parseWriteCached(statement.sql),
  withNamed = true,
): CapturePlan | string {
  if (!parsed) return 'not a single INSERT, UPDATE or DELETE';
  if (!table) return `no table ${parsed.table} on the primary`;
  // The table found by its name is in the schemas the adapter reads; a write naming another schema is not to it.
  if (parsed.schema && table.schema && parsed.schema.toLowerCase() !== table.schema.toLowerCase()) {
    return `a write to ${parsed.schema}.${parsed.table}, in a schema the primary's adapter does not read (its \`schema\` option)`;
  }
  let byDialect = templates.get(table);
  if (!byDialect) templates.set(table, (byDialect = {}));
  const byText = (byDialect[dialect] ??= new BoundedCache(500));
  let template = byText.get(statement.sql);
  if (template === undefined) byText.set(statement.sql, (template = captureTemplate(parsed, table, dialect)));
  if (typeof template === 'string') return template;
  template.uses++;
  const plan: CapturePlan = {
    parsed: template.parsed,
    table,
    source: statement,
    statement: { sql: template.sql, params: statement.params ?? [] },
    newRowsOnly: template.newRowsOnly,
    repeated: template.uses >= REPEATED_AFTER,
  };
  if (template.aliases) plan.aliases = template.aliases;
  if (template.jsonTexts) plan.jsonTexts = true;
  if (withNamed && (template.touchesOnlyNamed || template.parsed.deletesExisting)) {
    // A statement on a partition names its partitioned table's rows (see `writtenName`).
    const written = writtenName(template.parsed, table);
    let named = rowRefsOf({ sql: template.parsed.sql, params: statement.params ?? [] }, { [written]: table.primaryKey }, template.tokens);
    if (named && written !== table.name) named = named.map((r) => ({ table: table.name, key: r.key }));
    if (named && template.touchesOnlyNamed) plan.named = named;
    else if (named) plan.replacing = named;
  }
  return plan;
}

function captureTemplate(written: ParsedWrite, table: TableInfo, dialect: DialectName): CaptureTemplate | string {
  if (table.primaryKey.length === 0) return `${table.name} has no primary key`;
  // A constraint declared ON CONFLICT REPLACE makes a plain INSERT or UPDATE a REPLACE; the statement's own OR clause overrides it.
  const parsed =
    table.replacesOnConflict && written.verb !== 'delete' && !written.orClause
      ? { ...written, replaces: true, deletesExisting: true }
      : written;
  if (table.inheritedBy?.length && parsed.verb !== 'insert' && !parsed.only) {
    // RETURNING would show their rows as this table's, which the secondary would get in it.
    return `${table.inheritedBy.join(', ')} ${table.inheritedBy.length === 1 ? 'inherits' : 'inherit'} ${table.name} (INHERITS), so this write may reach their rows: write UPDATE ONLY / DELETE FROM ONLY to have its rows captured`;
  }
  const key = new Set(table.primaryKey.map((c) => c.toLowerCase()));
  if (parsed.verb === 'update' && (!parsed.assigned || parsed.assigned.some((c) => key.has(c.toLowerCase())))) {
    return parsed.commonTables ? 'an UPDATE after WITH that may change a primary key' : 'an UPDATE that may change a primary key';
  }
  const { sql, aliases } = capturingSql(parsed, table, dialect);
  // An upsert on another unique column, or SQLite's REPLACE, may change a row it does not name,
  // unless the key is the table's only unique constraint (a settings table's INSERT OR REPLACE).
  const touchesOnlyNamed =
    !parsed.replaces ||
    (parsed.conflictTarget !== undefined && sameColumnSet(parsed.conflictTarget, table.primaryKey)) ||
    otherUniqueIndexes(table).length === 0;
  const tokens = tokenize(parsed.sql);
  // A rowid key given as the literal NULL (Drizzle's id left to SQLite) takes new rowids, as an unlisted one does.
  const keys = { [writtenName(parsed, table)]: table.primaryKey };
  const nullRowids = dialect !== 'postgres' && isRowidKey(table) && insertsNullKeys(tokens, keys);
  // So does `DEFAULT` for a generated key column on Postgres (Drizzle's id left to the sequence).
  const generated = table.columns.filter((c) => c.autoIncrement && key.has(c.name.toLowerCase())).map((c) => c.name);
  const defaultKeys = dialect === 'postgres' && generated.length > 0 && insertsDefaultKeys(tokens, keys, generated);
  const listsKey = (parsed.columns?.some((c) => key.has(c.toLowerCase())) ?? false) && !nullRowids && !defaultKeys;
  const newRowsOnly = parsed.verb === 'insert' && !parsed.replaces && !listsKey;
  const jsonTexts = dialect === 'postgres' && jsonTextItems(table, '') !== '';
  const template: CaptureTemplate = { parsed, sql, touchesOnlyNamed, newRowsOnly, tokens, uses: 0, jsonTexts };
  if (aliases) template.aliases = aliases;
  return template;
}

/**
 * Splits a captured result into what the app asked for (its own RETURNING rows, or
 * none) and the rows as the primary left them. `rowsAffected` is the number of rows
 * returned, which is what the statement changed.
 */
export function splitCaptured(plan: CapturePlan, result: ExecResult): { app: ExecResult; images: Row[] } {
  const rows = result.rows ?? [];
  let images: Row[];
  const app: ExecResult = { rowsAffected: rows.length };
  if (plan.aliases) {
    ({ images, app: app.rows } = splitAliased(rows, plan.aliases));
  } else {
    images = rows;
    app.rows = [];
  }
  if (plan.jsonTexts) markJsonTexts(images, plan.table, rows);
  const id = insertedId(plan, images);
  if (id !== undefined) app.lastInsertId = id;
  else if (result.lastInsertId !== undefined) app.lastInsertId = result.lastInsertId;
  return { app, images };
}

/** The key of the last row an INSERT into a single integer key created, on every engine. */
function insertedId(plan: CapturePlan, images: Row[]): ExecResult['lastInsertId'] {
  const column = insertIdColumn(plan.table, plan.parsed.verb);
  return column === undefined || images.length === 0 ? undefined : asInsertId(images.at(-1)![column]);
}

/** A single integer key that SQLite's rowid is (SQLite or D1 `INTEGER PRIMARY KEY`). */
export function isRowidKey(table: TableInfo): boolean {
  return table.primaryKey.length === 1 && table.columns.find((c) => c.name === table.primaryKey[0])?.autoIncrement === true;
}
